package io.dkv.cluster.coordinator;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.message.DigestReply;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadReply;
import io.dkv.core.version.Version;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Collects the answers to one read: the value from one replica, versions (digests) from the
 * others, as Cassandra reads. It completes once {@code required} replicas answered and it
 * holds the entry with the newest version among them; when a digest names a newer version
 * than any value at hand, it asks that replica for the value ("upgrade"). It fails once
 * {@code required} answers can no longer come.
 *
 * <p>Which replicas it asks: at first only the first {@code asked} of its targets (the key's
 * replicas that are up, in the order the coordinator prefers). When one of them fails, times
 * out or refuses (it is recovering, or its ring is newer), the next target not asked yet is
 * asked in its place, for the value if it was asked for the value; and {@link #speculate()}
 * asks one more when the ones asked are slow. Only the key's own replicas are ever asked: a
 * stand-in's answer could not count (docs/ARCHITECTURE.md, "Quorums"). After every replica
 * asked answered or failed it hands the picture to {@code onAllAnswered} so stale replicas
 * among them can be repaired.
 *
 * <p>An entry's expiry register merges apart from its value: digests carry the whole
 * expiry register, so the entry the read settles on is the newest value register among the
 * answers with the newest expiry register among them, whichever replicas they came from.
 *
 * <p>Hash fields merge one by one: the read merges the fields of every entry it received
 * ({@link Entry#merge}), and a digest carries a summary of the replica's fields; when it
 * differs from every entry at hand (and its fields are not all hidden by the winning value
 * register), the read asks that replica for its entry ("upgrade") and merges it too. So a
 * field one replica lacks is taken from another, never lost to one replica's picture of the
 * hash.
 *
 * <p>I/O-free: it says what to send next and the coordinator sends it. Thread-safe: answers
 * may arrive on any thread; futures and callbacks run outside the lock.
 */
final class ReadOperation {

    /** What the coordinator must do next: send a read to a replica. */
    record Send(int index, NodeId node, boolean digest) {
    }

    /** One request of the read and what it said. */
    private static final class Slot {
        final NodeId node;
        final boolean digest;
        /** Whether its answer counts towards the consistency level (upgrades do not: their replica already counted). */
        final boolean counted;
        boolean answered;
        boolean failed;
        boolean upgraded;
        Version version;
        boolean tombstone;
        Expiry expiry = Expiry.ABSENT;
        long fieldsDigest;
        Version fieldsVersion = Version.ZERO;
        Entry entry;

        Slot(NodeId node, boolean digest, boolean counted) {
            this.node = node;
            this.digest = digest;
            this.counted = counted;
        }
    }

    private final int required;
    private final Consumer<ReadOperation> onAllAnswered;
    private final CompletableFuture<Entry> result = new CompletableFuture<>();
    private final List<Slot> slots = new ArrayList<>();
    /** Targets not asked yet, in the order they will be. */
    private final ArrayDeque<NodeId> unasked = new ArrayDeque<>();
    private final FailureReasons failureReasons = new FailureReasons();
    private final int replicas;
    private int answers;
    private int failures;
    private int outstanding;
    private Entry decidedEntry;
    private boolean decided;
    private boolean upgrading;
    private boolean speculated;

    /**
     * A read that asks all its targets at once.
     *
     * @param targets   the replicas the read goes to
     * @param dataIndex which of them is asked for the value (the others for digests)
     */
    ReadOperation(List<NodeId> targets, int dataIndex, int required, Consumer<ReadOperation> onAllAnswered) {
        this(targets, dataIndex, required, targets.size(), onAllAnswered);
    }

    /**
     * @param targets   the replicas the read may go to, in the order they are asked
     * @param dataIndex which of them is asked for the value (the others for digests); below {@code asked}
     * @param asked     how many of them are asked at first, at least {@code required}
     */
    ReadOperation(List<NodeId> targets, int dataIndex, int required, int asked, Consumer<ReadOperation> onAllAnswered) {
        if (asked < Math.min(required, targets.size()) || asked > targets.size() || dataIndex >= Math.max(1, asked)) {
            throw new IllegalArgumentException("asked " + asked + " of " + targets.size() + " targets for " + required
                    + " answers, the value from target " + dataIndex);
        }
        this.required = required;
        this.onAllAnswered = onAllAnswered;
        for (int i = 0; i < asked; i++) {
            slots.add(new Slot(targets.get(i), i != dataIndex, true));
        }
        unasked.addAll(targets.subList(asked, targets.size()));
        replicas = targets.size();
        outstanding = asked;
    }

    CompletableFuture<Entry> result() {
        return result;
    }

    /** The first requests to send, one per replica asked at first. */
    synchronized List<Send> initialRequests() {
        List<Send> sends = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            sends.add(new Send(i, slots.get(i).node, slots.get(i).digest));
        }
        return sends;
    }

    /** Records an answer; returns a further request to send (an upgrade), or {@code null}. */
    Send onReply(int index, Message reply) {
        if (reply instanceof ReadReply read) {
            Entry entry = read.entry();
            return answer(index, entry == null ? null : entry.version(), entry != null && entry.value() == null,
                    entry == null ? Expiry.ABSENT : entry.expiry(), entry, 0, Version.ZERO);
        }
        if (reply instanceof DigestReply digest) {
            return answer(index, digest.version(), digest.tombstone(), digest.expiry(), null, digest.fieldsDigest(),
                    digest.fieldsVersion());
        }
        String reason = reply instanceof ErrorReply error ? error.message() : "unexpected reply " + reply.getClass().getSimpleName();
        return onFailure(index, reason);
    }

    private Send answer(int index, Version version, boolean tombstone, Expiry expiry, Entry entry, long fieldsDigest,
                        Version fieldsVersion) {
        Decision decision;
        synchronized (this) {
            Slot slot = slots.get(index);
            slot.answered = true;
            slot.version = version;
            slot.tombstone = tombstone;
            slot.expiry = expiry;
            slot.entry = entry;
            slot.fieldsDigest = entry == null ? fieldsDigest : entry.fields().digest();
            slot.fieldsVersion = entry == null ? fieldsVersion : entry.fields().newestVersion();
            if (slot.counted) {
                answers++;
            } else {
                upgrading = false;
            }
            outstanding--;
            decision = decide();
        }
        return decision.apply(this);
    }

    /**
     * Records that a replica failed to answer (or refused).
     *
     * @return the request to send instead: the same question to the next replica not asked
     *         yet, or an upgrade elsewhere; or {@code null}
     */
    Send onFailure(int index, String reason) {
        Decision decision;
        Send replacement = null;
        synchronized (this) {
            Slot slot = slots.get(index);
            slot.failed = true;
            outstanding--;
            failureReasons.add(slot.node, reason);
            if (slot.counted) {
                failures++;
                if (!decided && !unasked.isEmpty()) {
                    replacement = ask(slot.digest);
                }
            } else {
                upgrading = false;
            }
            decision = decide();
        }
        Send upgrade = decision.apply(this);
        // An upgrade follows only the failure of an upgrade, a replacement only that of a counted request.
        return replacement != null ? replacement : upgrade;
    }

    /**
     * Asks one more replica when some asked ones have not answered yet (called when they are
     * slower than they recently were): for the value if the value is among those missing, else
     * for a digest. At most once per read.
     *
     * @return the request to send, or {@code null}: the read is decided, already speculated,
     *         has nobody left to ask, or waits for nothing but an upgrade
     */
    synchronized Send speculate() {
        if (decided || speculated || unasked.isEmpty()) {
            return null;
        }
        boolean waiting = false;
        boolean valueMissing = false;
        for (Slot slot : slots) {
            if (slot.counted && !slot.answered && !slot.failed) {
                waiting = true;
                valueMissing |= !slot.digest;
            }
        }
        if (!waiting) {
            return null;
        }
        speculated = true;
        return ask(!valueMissing);
    }

    /** Whether replicas not asked yet remain. */
    synchronized boolean hasUnasked() {
        return !unasked.isEmpty();
    }

    /** Called under the lock: a counted request to the next replica not asked yet. */
    private Send ask(boolean digest) {
        slots.add(new Slot(unasked.poll(), digest, true));
        outstanding++;
        return new Send(slots.size() - 1, slots.get(slots.size() - 1).node, digest);
    }

    /**
     * What {@link #decide} concluded, acted on outside the lock: complete with {@code entry}
     * (possibly null: the key is absent), fail, send an upgrade, report that all answered.
     */
    private record Decision(boolean complete, Entry entry, NotEnoughReplicasException fail, Send upgrade, boolean finished) {
        static final Decision NOTHING = new Decision(false, null, null, null, false);
        static final Decision FINISHED = new Decision(false, null, null, null, true);

        Send apply(ReadOperation operation) {
            if (fail != null) {
                operation.result.completeExceptionally(fail);
            } else if (complete) {
                operation.result.complete(entry);
            }
            if (finished) {
                operation.onAllAnswered.accept(operation);
            }
            return upgrade;
        }
    }

    /** Called under the lock after every change. */
    private Decision decide() {
        boolean finished = outstanding == 0;
        if (decided) {
            return finished ? Decision.FINISHED : Decision.NOTHING;
        }
        if (replicas - failures < required) {
            decided = true;
            return new Decision(false, null,
                    new NotEnoughReplicasException("read", answers, required, failureReasons.toString()), null, finished);
        }
        if (answers < required) {
            return finished ? Decision.FINISHED : Decision.NOTHING;
        }
        Version newest = newestVersion();
        if (newest == null) {
            decided = true;
            return new Decision(true, null, null, null, finished);
        }
        for (Slot slot : slots) {
            if (slot.answered && newest.equals(slot.version) && (slot.entry != null || slot.tombstone)) {
                Entry merged = mergedFields(slot.entry != null ? slot.entry : new Entry(null, newest, Expiry.ABSENT));
                Slot lacking = fieldsNotAtHand(merged.version());
                if (lacking != null) {
                    return upgradeForFields(lacking, finished);
                }
                decided = true;
                Expiry expiry = newestExpiry();
                decidedEntry = new Entry(merged.value(), merged.version(), expiry, merged.fields());
                if (decidedEntry.equals(slot.entry)) {
                    decidedEntry = slot.entry;
                }
                return new Decision(true, decidedEntry, null, null, finished);
            }
        }
        if (!upgrading) {
            for (Slot slot : slots) {
                if (slot.answered && slot.digest && !slot.upgraded && newest.equals(slot.version)) {
                    upgrading = true;
                    slot.upgraded = true;
                    Slot upgrade = new Slot(slot.node, false, false);
                    slots.add(upgrade);
                    outstanding++;
                    return new Decision(false, null, null, new Send(slots.size() - 1, slot.node, false), false);
                }
            }
            decided = true;
            return new Decision(false, null, new NotEnoughReplicasException("read", answers, required,
                    "no replica that has the newest version " + newest + " returned its value"), null, finished);
        }
        return Decision.NOTHING;
    }

    private Version newestVersion() {
        Version newest = null;
        for (Slot slot : slots) {
            if (slot.answered && slot.version != null && (newest == null || slot.version.isAfter(newest))) {
                newest = slot.version;
            }
        }
        return newest;
    }

    /**
     * A digest whose fields no entry at hand holds, unless the value register {@code keyLevel}
     * hides them all; {@code null} when every answer's fields are at hand. A digest is also
     * covered by an entry its own replica sent later (the upgrade): a replica's entry only
     * grows by merging, so that entry holds every field the digest summed up, and more when a
     * write reached the replica in between (then its summary differs from the digest's, and
     * asking again would chase a hash that keeps changing).
     */
    private Slot fieldsNotAtHand(Version keyLevel) {
        for (Slot slot : slots) {
            if (slot.answered && slot.entry == null && slot.fieldsDigest != 0 && slot.fieldsVersion.isAfter(keyLevel)
                    && !fieldsAtHand(slot.fieldsDigest) && !entryFrom(slot.node)) {
                return slot;
            }
        }
        return null;
    }

    private boolean entryFrom(NodeId node) {
        for (Slot slot : slots) {
            if (slot.answered && slot.entry != null && slot.node.equals(node)) {
                return true;
            }
        }
        return false;
    }

    private boolean fieldsAtHand(long fieldsDigest) {
        for (Slot slot : slots) {
            if (slot.answered && slot.entry != null && slot.fieldsDigest == fieldsDigest) {
                return true;
            }
        }
        return false;
    }

    /** Asks a replica whose digest has {@code lacking}'s fields for its entry, one upgrade at a time; fails when none is left. */
    private Decision upgradeForFields(Slot lacking, boolean finished) {
        if (upgrading) {
            return Decision.NOTHING;
        }
        for (Slot slot : slots) {
            if (slot.answered && slot.entry == null && !slot.upgraded && slot.fieldsDigest == lacking.fieldsDigest) {
                upgrading = true;
                slot.upgraded = true;
                slots.add(new Slot(slot.node, false, false));
                outstanding++;
                return new Decision(false, null, null, new Send(slots.size() - 1, slot.node, false), false);
            }
        }
        decided = true;
        return new Decision(false, null, new NotEnoughReplicasException("read", answers, required,
                "no replica whose hash fields differ from the others returned them"), null, finished);
    }

    /**
     * {@code keyLevel} (which holds the newest value register among the answers) merged with
     * every entry received, so the fields are each the newest any replica holds, less those
     * the winning value register hides. Digests' value registers are not newer than
     * {@code keyLevel}'s, and their fields are at hand ({@link #fieldsNotAtHand}).
     */
    private Entry mergedFields(Entry keyLevel) {
        Entry merged = keyLevel;
        for (Slot slot : slots) {
            if (slot.answered && slot.entry != null && !slot.entry.fields().isEmpty()) {
                merged = Entry.merge(merged, slot.entry);
            }
        }
        return merged;
    }

    private Expiry newestExpiry() {
        Expiry newest = Expiry.ABSENT;
        for (Slot slot : slots) {
            if (slot.answered) {
                newest = Expiry.newer(newest, slot.expiry);
            }
        }
        return newest;
    }

    /** The entry the read settled on (value or tombstone), or {@code null}; call once all answered. */
    synchronized Entry newest() {
        return decidedEntry;
    }

    /** Replicas that answered with an older version of either register than the read settled on, or with none. */
    synchronized List<NodeId> staleReplicas() {
        if (decidedEntry == null) {
            return List.of();
        }
        List<NodeId> stale = null; // most reads find none: no list for them
        for (Slot slot : slots) {
            // Counted slots are distinct replicas (an upgrade asks again uncounted), so none is named twice.
            if (slot.counted && slot.answered
                    && (slot.version == null || decidedEntry.version().isAfter(slot.version)
                        || decidedEntry.expiry().version().isAfter(slot.expiry.version())
                        || lacksFields(slot))) {
                if (stale == null) {
                    stale = new ArrayList<>(2);
                }
                stale.add(slot.node);
            }
        }
        return stale == null ? List.of() : stale;
    }

    /** Whether the replica answered with other fields than the read settled on. */
    private boolean lacksFields(Slot slot) {
        return slot.fieldsDigest != decidedEntry.fields().digest();
    }
}
