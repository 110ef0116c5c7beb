package io.dkv.cluster.repair;

import io.dkv.cluster.membership.LivenessView;
import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.config.RepairConfig;
import io.dkv.cluster.replica.LocalReplica;
import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.DkvException;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.message.KeyDigests;
import io.dkv.core.message.KeyDigestsReply;
import io.dkv.core.message.MerkleLeavesReply;
import io.dkv.core.message.MerkleRootRequest;
import io.dkv.core.message.Message;
import io.dkv.core.message.WriteReply;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * Repairs keys nobody reads: replicas of a partition compare hash trees and exchange only
 * the entries that differ (Dynamo section 4.7).
 *
 * <p>Each comparison takes the next partition this node replicates, picks another replica
 * of it that is up, and compares roots; when they differ, it compares leaves, then the keys
 * in the differing leaves, and each side ends with the newer entry of every key. Three
 * limits keep it from starving clients: rounds are spaced by the configured interval, a
 * {@link ByteBudget} caps the entry bytes moved per second, and every message stays within
 * the internode frame limit (an exchange that would not fit is cut short and marked
 * incomplete: the leaves still differ and the next comparison continues). The entries this
 * node owes a peer are sent one after another, each after the previous was answered.
 *
 * <p>A partition whose tree is not built yet ({@link MerkleTreeBuilder}, after a restart) is
 * skipped: its root would not stand for what the partition holds.
 *
 * <p>A recovering node ({@link Recovery}) also runs {@link #recoveryRound}: the comparisons
 * it owes, several at a time, without the interval's pause (the byte budget still applies).
 *
 * <p>Thread-safety: rounds start on the scheduler thread, continue on whatever thread
 * answers; the shared state is the in-flight flag, the set of recovery comparisons in flight
 * and the (synchronized) byte budget. The responder side ({@link AntiEntropyResponder})
 * only reads the thread-safe trees and storage.
 */
public final class AntiEntropy {

    private static final Logger log = LoggerFactory.getLogger(AntiEntropy.class);
    static final long BATCH_BYTES = 4L << 20;
    static final int ROOTS_PER_ROUND = 16;
    /** Recovery comparisons in flight at once. */
    static final int RECOVERY_PARALLELISM = 8;

    private final NodeId self;
    private final Ring ring;
    private final RepairConfig config;
    private final StorageEngine storage;
    private final MerkleTrees trees;
    private final Transport transport;
    private final LivenessView liveness;
    private final RandomGenerator random;
    private final long timeoutMillis;
    private final NodeCounters metrics;
    private final LocalReplica replica;
    private final Recovery recovery;
    private final ByteBudget budget;
    private final MessageLimits limits;
    private final AntiEntropyResponder responder;
    private final int[] partitions;
    private final AtomicBoolean comparing = new AtomicBoolean();
    private final Set<Recovery.Pair> recoveringNow = ConcurrentHashMap.newKeySet();
    /** Partitions whose last exchange had an entry refused (clock skew): not compared again before the time given. */
    private final Map<Integer, Long> deferredUntil = new ConcurrentHashMap<>();
    private final Clock clock;
    private int cursor;

    /** What anti-entropy is handed; one record instead of a dozen positional arguments. */
    public record Parts(NodeId self, Ring ring, RepairConfig config, StorageEngine storage, MerkleTrees trees,
                        Transport transport, LivenessView liveness, RandomGenerator random, Clock clock,
                        long timeoutMillis, int maxMessageBytes, NodeCounters metrics, LocalReplica replica,
                        Recovery recovery) {
    }

    public AntiEntropy(Parts parts) {
        this.self = parts.self();
        this.ring = parts.ring();
        this.config = parts.config();
        this.storage = parts.storage();
        this.trees = parts.trees();
        this.transport = parts.transport();
        this.liveness = parts.liveness();
        this.random = parts.random();
        this.timeoutMillis = parts.timeoutMillis();
        this.metrics = parts.metrics();
        this.replica = parts.replica();
        this.recovery = parts.recovery();
        this.clock = parts.clock();
        this.budget = new ByteBudget(parts.clock(), config.antiEntropyBytesPerSecond());
        this.limits = MessageLimits.of(parts.maxMessageBytes(), config.antiEntropyMaxKeys());
        this.responder = new AntiEntropyResponder(storage, trees, limits, parts.clock(), config.tombstoneGraceMillis());
        this.partitions = ring.partitionsReplicatedBy(self);
    }

    /** The side that answers peers' comparisons. */
    public AntiEntropyResponder responder() {
        return responder;
    }

    /**
     * Starts one round unless one is still running. A round compares partitions one after
     * another until one differs (and its keys are exchanged) or {@link #ROOTS_PER_ROUND}
     * matched: matching roots cost one tiny message, so a quiet cluster is swept fast, and
     * the interval between rounds limits only the real repair work. Runs on the scheduler thread.
     */
    public void round() {
        if (partitions.length == 0 || !budget.mayStart() || !comparing.compareAndSet(false, true)) {
            return;
        }
        compareNext(ROOTS_PER_ROUND).whenComplete((done, error) -> {
            comparing.set(false);
            if (error != null) {
                log.debug("{}: anti-entropy round stopped: {}", self, error.toString());
            }
        });
    }

    /**
     * While this node is recovering: starts the comparisons it still owes (with peers that
     * are up), a few at a time, and ends recovery once none is owed and every tree is built
     * (a partition whose tree is not built yet is not compared; without the second condition
     * a node whose peers are all down would stop recovering before it could compare at all).
     * Runs on the scheduler thread.
     */
    public void recoveryRound() {
        if (!recovery.isRecovering() || (trees.allBuilt() && recovery.finishIfDone(liveness))) {
            return;
        }
        int room = RECOVERY_PARALLELISM - recoveringNow.size();
        if (room <= 0 || !budget.mayStart()) {
            return;
        }
        for (Recovery.Pair pair : recovery.next(room, liveness, recoveringNow)) {
            if (!trees.isBuilt(pair.partition()) || deferred(pair.partition()) || !recoveringNow.add(pair)) {
                continue;
            }
            metrics.antiEntropyComparisons.increment();
            compare(pair.partition(), pair.peer()).whenComplete((outcome, error) -> {
                recoveringNow.remove(pair);
                if (error == null && outcome != Outcome.INCOMPLETE) {
                    recovery.compared(pair.partition(), pair.peer());
                } else if (error != null) {
                    log.debug("{}: recovery comparison of partition {} with {} failed: {}", self, pair.partition(),
                            pair.peer(), error.toString());
                }
            });
        }
    }

    /** How a comparison of one partition with one peer ended. */
    enum Outcome {
        /** Same roots: the replicas hold the same entries. */
        MATCHED,
        /** Every differing key was exchanged. */
        EXCHANGED,
        /** Some were left for a later comparison (byte or key limits). */
        INCOMPLETE,
        /** An entry was refused by one side (clock skew, storage full). */
        REFUSED
    }

    /** Compares the next partition; if its roots matched and budget is left, goes on to the one after. */
    private CompletableFuture<Void> compareNext(int rootsLeft) {
        int partition = partitions[cursor++ % partitions.length];
        if (!trees.isBuilt(partition) || deferred(partition)) {
            return rootsLeft > 1 ? compareNext(rootsLeft - 1) : CompletableFuture.completedFuture(null);
        }
        List<NodeId> peers = new ArrayList<>();
        for (NodeId other : ring.replicas(partition)) {
            if (!other.equals(self) && liveness.isUp(other)) {
                peers.add(other);
            }
        }
        if (peers.isEmpty()) {
            return rootsLeft > 1 ? compareNext(rootsLeft - 1) : CompletableFuture.completedFuture(null);
        }
        NodeId peer = peers.get(random.nextInt(peers.size()));
        metrics.antiEntropyComparisons.increment();
        return compare(partition, peer).thenCompose(outcome ->
                outcome == Outcome.MATCHED && rootsLeft > 1 ? compareNext(rootsLeft - 1) : CompletableFuture.completedFuture(null));
    }

    /**
     * Compares one partition with one peer and exchanges what differs. When an entry is
     * refused (its version too far ahead of a clock), the partition is left alone for
     * {@link #REFUSED_BACKOFF_MILLIS}: by then the clocks may agree, and until then the
     * same entry would only be sent and refused again.
     */
    CompletableFuture<Outcome> compare(int partition, NodeId peer) {
        return exchange(partition, peer).thenApply(outcome -> {
            if (outcome == Outcome.REFUSED) {
                deferredUntil.put(partition, clock.monotonicMillis() + REFUSED_BACKOFF_MILLIS);
                return Outcome.INCOMPLETE;
            }
            return outcome;
        });
    }

    static final long REFUSED_BACKOFF_MILLIS = 60_000;

    private boolean deferred(int partition) {
        Long until = deferredUntil.get(partition);
        if (until == null) {
            return false;
        }
        if (clock.monotonicMillis() < until) {
            return true;
        }
        deferredUntil.remove(partition, until);
        return false;
    }

    private CompletableFuture<Outcome> exchange(int partition, NodeId peer) {
        return transport.request(peer, new MerkleRootRequest(partition, trees.root(partition)), timeoutMillis)
                .thenCompose(reply -> {
                    MerkleLeavesReply leaves = expect(reply, MerkleLeavesReply.class);
                    if (leaves.same()) {
                        return CompletableFuture.completedFuture(Outcome.MATCHED);
                    }
                    DigestBatch ours = digestsOfDifferingLeaves(partition, leaves.leaves());
                    return transport.request(peer, ours.request(), timeoutMillis)
                            .thenCompose(answer -> reconcile(partition, peer, expect(answer, KeyDigestsReply.class))
                                    .thenApply(allTaken -> !allTaken ? Outcome.REFUSED
                                            : answerComplete(answer) && !ours.truncated() ? Outcome.EXCHANGED
                                            : Outcome.INCOMPLETE));
                });
    }

    private static boolean answerComplete(Message answer) {
        return ((KeyDigestsReply) answer).complete();
    }

    /** The asker's digests, and whether some were left out to fit the limits. */
    private record DigestBatch(KeyDigests request, boolean truncated) {
    }

    /** Our keys and versions in the leaves where our hash differs from the peer's. */
    private DigestBatch digestsOfDifferingLeaves(int partition, long[] theirLeaves) {
        long[] ours = trees.leafHashes(partition);
        Set<Integer> differing = new HashSet<>();
        List<Integer> leafList = new ArrayList<>();
        for (int leaf = 0; leaf < MerkleTrees.LEAVES && leaf < theirLeaves.length; leaf++) {
            if (ours[leaf] != theirLeaves[leaf]) {
                differing.add(leaf);
                leafList.add(leaf);
            }
        }
        List<byte[]> keys = new ArrayList<>();
        List<Version> versions = new ArrayList<>();
        long[] bytes = {0};
        boolean[] truncated = {false};
        storage.forEachEntry(partition, (key, entry) -> {
            if (!differing.contains(MerkleTrees.leafOf(key))) {
                return;
            }
            long size = key.length + MessageLimits.PER_KEY_BYTES;
            if (keys.size() < limits.maxKeys() && bytes[0] + size <= limits.batchBytes()) {
                keys.add(key);
                versions.add(entry.version());
                bytes[0] += size;
            } else {
                truncated[0] = true;
            }
        });
        metrics.antiEntropyKeysCompared.add(keys.size());
        KeyDigests request = new KeyDigests(partition, leafList.stream().mapToInt(Integer::intValue).toArray(),
                keys.toArray(byte[][]::new), versions.toArray(Version[]::new));
        return new DigestBatch(request, truncated[0]);
    }

    /**
     * Takes the peer's newer entries, then sends it ours where we are newer, one after
     * another. Completes with whether every entry offered was taken (none refused).
     */
    private CompletableFuture<Boolean> reconcile(int partition, NodeId peer, KeyDigestsReply reply) {
        boolean allTaken = true;
        for (int i = 0; i < reply.newerKeys().length; i++) {
            byte[] key = reply.newerKeys()[i];
            Entry entry = reply.newerEntries()[i];
            budget.spend(key.length + entry.sizeBytes());
            metrics.antiEntropyBytes.add(key.length + entry.sizeBytes());
            try {
                replica.admit(entry.version());
                if (replica.mergeUnlessPurgeable(partition, key, entry).applied()) {
                    metrics.antiEntropyKeysRepaired.increment();
                }
            } catch (DkvException e) {
                allTaken = false;
                log.debug("{}: anti-entropy did not take a key from {}: {}", self, peer, e.getMessage());
            }
        }
        boolean taken = allTaken;
        return sendOneByOne(partition, peer, reply.wantedKeys(), 0).thenApply(sent -> taken && sent);
    }

    /** Sends our entry for {@code wanted[index]}, then the next once it was answered. */
    private CompletableFuture<Boolean> sendOneByOne(int partition, NodeId peer, byte[][] wanted, int index) {
        for (int i = index; i < wanted.length; i++) {
            Entry ours = storage.get(partition, wanted[i]);
            if (ours == null) {
                continue;
            }
            long size = wanted[i].length + ours.sizeBytes();
            budget.spend(size);
            metrics.antiEntropyBytes.add(size);
            int next = i + 1;
            return transport.request(peer, new WriteRequest(partition, wanted[i], ours), timeoutMillis)
                    .thenCompose(ack -> {
                        boolean taken = ack instanceof WriteReply;
                        if (taken) {
                            metrics.antiEntropyKeysRepaired.increment();
                        }
                        return sendOneByOne(partition, peer, wanted, next).thenApply(rest -> taken && rest);
                    });
        }
        return CompletableFuture.completedFuture(true);
    }

    private static <T extends Message> T expect(Message reply, Class<T> type) {
        if (type.isInstance(reply)) {
            return type.cast(reply);
        }
        throw new DkvException("expected " + type.getSimpleName() + ", got " + reply);
    }
}
