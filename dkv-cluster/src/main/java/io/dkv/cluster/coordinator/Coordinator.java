package io.dkv.cluster.coordinator;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.cluster.config.SpeculativeRetry;
import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.handoff.HintedHandoff;
import io.dkv.cluster.rebalance.RingHolder;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.cluster.replica.ReplicaEndpoints;
import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.core.Consistency;
import io.dkv.core.DkvException;
import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.LimitExceededException;
import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.message.DigestReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.NotMine;
import io.dkv.core.message.ReadReply;
import io.dkv.core.message.ReadRequest;
import io.dkv.core.message.WriteReply;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.hash.HashFields;
import io.dkv.core.ring.Ring;
import io.dkv.core.version.HybridLogicalClock;
import io.dkv.core.version.Version;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Drives client requests to the replicas of their key: stamps writes with a version, sends
 * them to the key's targets, and answers once the consistency level is met; reads gather
 * replica answers, return the newest, and repair the replicas that were behind.
 *
 * <p>Who votes (docs/ARCHITECTURE.md, "Quorums"): only the key's own replicas, and only
 * those not recovering. While at least W replicas are up, a write goes to them alone and
 * needs W of their acks; a replica that fails is not replaced (a slow one is waited for up
 * to the timeout), and keeps a hint here. Only when fewer than W are up do stand-ins take
 * writes in their place and count (a sloppy quorum, outside the guarantee). Reads never ask
 * stand-ins: a read asks R replicas, and another replica of the key only in place of one
 * that fails or when they are slow (speculative retry). So with R + W > RF and at most RF - max(R, W) replicas faulty, every read
 * meets every acknowledged write.
 *
 * <p>Thread-safe: may be called from many threads at once. Per-request state lives in the
 * operation objects; everything else it touches is immutable or thread-safe.
 */
public final class Coordinator {

    private final NodeId self;
    private final ClusterConfig config;
    private final RingHolder rings;
    private final Router router;
    private final ReplicaEndpoints endpoints;
    private final HybridLogicalClock clock;
    private final RandomGenerator random;
    private final HintedHandoff handoff;
    private final NodeCounters metrics;
    private final Clock time;
    private final SpeculationTimer speculationTimer;
    private final SpeculativeRetry speculation;
    /** Recent latency of reads answered by peers; null when the policy does not look at it. */
    private final ReadLatency readLatency;

    /**
     * What a coordinator works with.
     *
     * @param clock     stamps writes with versions
     * @param time      measures how long replicas take to answer reads
     * @param scheduler runs the timers that ask one more replica when the ones asked are slow
     */
    public record Parts(NodeId self, ClusterConfig config, RingHolder rings, Router router, ReplicaEndpoints endpoints,
                        HybridLogicalClock clock, RandomGenerator random, HintedHandoff handoff, NodeCounters metrics,
                        Clock time, Scheduler scheduler) {
    }

    public Coordinator(Parts parts) {
        this.self = parts.self();
        this.config = parts.config();
        this.rings = parts.rings();
        this.router = parts.router();
        this.endpoints = parts.endpoints();
        this.clock = parts.clock();
        this.random = parts.random();
        this.handoff = parts.handoff();
        this.metrics = parts.metrics();
        this.time = parts.time();
        this.speculationTimer = new SpeculationTimer(parts.time(), parts.scheduler());
        this.speculation = config.speculativeRetry();
        this.readLatency = speculation.kind() == SpeculativeRetry.Kind.PERCENTILE
                ? new ReadLatency(speculation.percentile()) : null;
    }

    public CompletableFuture<WriteResult> put(byte[] key, byte[] value, Consistency consistency) {
        return putValue(key, value, consistency, version -> Entry.value(value, version));
    }

    /** A write of the value and an expiry at once (SET EX): both registers at the write's version. */
    public CompletableFuture<WriteResult> putExpiring(byte[] key, byte[] value, long expiresAtMillis,
                                                      Consistency consistency) {
        return putValue(key, value, consistency, version -> Entry.expiring(value, version, expiresAtMillis));
    }

    /** A write of the value register alone (SET KEEPTTL): whatever expiry the key has stays. */
    public CompletableFuture<WriteResult> putKeepingExpiry(byte[] key, byte[] value, Consistency consistency) {
        return putValue(key, value, consistency, version -> Entry.keepingExpiry(value, version));
    }

    private CompletableFuture<WriteResult> putValue(byte[] key, byte[] value, Consistency consistency,
                                                    Function<Version, Entry> make) {
        Entry entry;
        try {
            checkKey(key);
            checkValue(value);
            entry = make.apply(newVersion());
        } catch (DkvException e) {
            return CompletableFuture.failedFuture(e);
        }
        return write("write", key, entry, consistency);
    }

    /**
     * A write of the expiry register alone (EXPIRE, PERSIST): a blind write that never
     * touches the value, so a value written concurrently survives it.
     *
     * @param expiresAtMillis epoch milliseconds, or {@link Expiry#NEVER} to remove the expiry
     */
    public CompletableFuture<WriteResult> setExpiry(byte[] key, long expiresAtMillis, Consistency consistency) {
        Entry entry;
        try {
            checkKey(key);
            entry = Entry.expiryOnly(new Expiry(expiresAtMillis, newVersion()));
        } catch (DkvException | IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return write("expire", key, entry, consistency);
    }

    /**
     * A write of hash fields alone (HSET, and HDEL with {@code null} values for the fields it
     * deletes), all at one new version: a blind write that never touches the key level or
     * the expiry, so fields written concurrently through other nodes survive it.
     *
     * <p>With {@code replacing} the key becomes a new hash instead (HSET on a key that read
     * as expired): a key-level tombstone that also clears the expiry, at one version, hides
     * every older field, and the fields go at the next version, above it.
     *
     * @param fields the fields by name; a {@code null} value writes a tombstone
     */
    public CompletableFuture<WriteResult> writeFields(byte[] key, Map<byte[], byte[]> fields, boolean replacing,
                                                      Consistency consistency) {
        Entry entry;
        try {
            checkKey(key);
            Version keyLevel = replacing ? newVersion() : null;
            HashFields written = HashFields.written(fields, newVersion());
            checkHash(written);
            entry = replacing ? new Entry(null, keyLevel, Expiry.never(keyLevel), written) : Entry.fieldsOnly(written);
        } catch (DkvException e) {
            return CompletableFuture.failedFuture(e);
        }
        return write("hash write", key, entry, consistency);
    }

    /** This node's wall clock: what expiry times are computed from and judged by. */
    public long wallMillis() {
        return clock.wallMillis();
    }

    public CompletableFuture<WriteResult> delete(byte[] key, Consistency consistency) {
        Entry entry;
        try {
            checkKey(key);
            entry = Entry.tombstone(newVersion());
        } catch (DkvException e) {
            return CompletableFuture.failedFuture(e);
        }
        return write("delete", key, entry, consistency);
    }

    /**
     * The newest entry among the first answers (merged register by register): a value, a
     * tombstone, or {@code null}. An entry whose expiry has passed by this node's wall clock
     * comes back without its value, as a tombstone that keeps both registers' versions:
     * expired keys read as absent to every client.
     */
    public CompletableFuture<Entry> read(byte[] key, Consistency consistency) {
        try {
            checkKey(key);
        } catch (DkvException e) {
            return CompletableFuture.failedFuture(e);
        }
        return routed(state -> readOnce(state, key, consistency)).thenApply(entry ->
                entry == null || entry.isTombstone() || entry.liveAt(clock.wallMillis())
                        ? entry : new Entry(null, entry.version(), entry.expiry()));
    }

    /**
     * Runs a request by the ring in force and, when a replica refused it because its ring
     * is newer ({@link NotMine}) and the request failed, once more by that newer ring as
     * soon as this node has it (gossip brings it; waited for up to the replica timeout).
     */
    private <T> CompletableFuture<T> routed(Function<RingState, Attempt<T>> run) {
        RingState state = rings.state();
        Attempt<T> first = run.apply(state);
        if (first.result().isDone() && !first.result().isCompletedExceptionally()) {
            return first.result();
        }
        return first.result().exceptionallyCompose(error -> {
            long newer = first.newerEpoch().get();
            if (newer <= state.epoch()) {
                return CompletableFuture.failedFuture(error);
            }
            metrics.staleRingRetries.increment();
            return rings.awaitEpoch(newer, config.replicaTimeoutMillis())
                    .handle((newerState, timedOut) -> newerState)
                    .thenCompose(newerState -> newerState == null ? CompletableFuture.<T>failedFuture(error)
                            : run.apply(newerState).result());
        });
    }

    /** One try of a request: its outcome, and the newest epoch a replica refused it with. */
    private record Attempt<T>(CompletableFuture<T> result, Supplier<Long> newerEpoch) {
    }

    /**
     * Asks {@code required} of the key's up replicas, this node first when it is one (its
     * answer costs no message, so it gives the value), then the others in preference order;
     * the next ones are asked when one fails, or when the asked ones are slow
     * ({@link SpeculativeRetry}). Read repair covers the replicas asked; anti-entropy the rest.
     */
    private Attempt<Entry> readOnce(RingState state, byte[] key, Consistency consistency) {
        Ring ring = state.current();
        int partition = ring.partitionOf(key);
        List<NodeId> targets = selfFirst(router.upReplicas(ring, partition));
        int required = consistency.required(config.replicas());
        if (targets.size() < required) {
            return new Attempt<>(CompletableFuture.failedFuture(tooFewReplicas(ring, "read", targets.size(), required,
                    partition)), () -> 0L);
        }
        boolean repair = config.readRepairChance() >= 1.0
                || (config.readRepairChance() > 0 && random.nextDouble() < config.readRepairChance());
        int asked = speculation.asksAll() ? targets.size() : required;
        ReadOperation operation = new ReadOperation(targets, 0, required, asked,
                repair ? done -> repair(partition, key, done) : done -> { });
        long[] newerEpoch = {0};
        List<ReadOperation.Send> sends = operation.initialRequests();
        // Peers first, so this node's own (synchronous) answer does not delay their requests.
        for (ReadOperation.Send send : sends) {
            if (!send.node().equals(self)) {
                sendRead(operation, state.epoch(), partition, key, send, newerEpoch);
            }
        }
        for (ReadOperation.Send send : sends) {
            if (send.node().equals(self)) {
                sendRead(operation, state.epoch(), partition, key, send, newerEpoch);
            }
        }
        if (speculation.speculates() && !operation.result().isDone() && operation.hasUnasked()) {
            long delay = speculation.delayMillis(readLatency == null ? -1 : readLatency.recentMillis(),
                    config.replicaTimeoutMillis());
            speculationTimer.add(delay, () -> {
                ReadOperation.Send extra = operation.speculate();
                if (extra != null) {
                    metrics.speculativeReads.increment();
                    sendRead(operation, state.epoch(), partition, key, extra, newerEpoch);
                }
            });
        }
        return new Attempt<>(operation.result(), () -> {
            synchronized (newerEpoch) {
                return newerEpoch[0];
            }
        });
    }

    /**
     * Sends one read request (for the value, or a digest). If an answer shows a newer
     * version than the value at hand, the operation asks for the value there.
     */
    private void sendRead(ReadOperation operation, long epoch, int partition, byte[] key, ReadOperation.Send send,
                          long[] newerEpoch) {
        long sentNanos = readLatency != null && !send.node().equals(self) ? time.monotonicNanos() : -1;
        endpoints.request(send.node(), new ReadRequest(partition, key, send.digest(), epoch), (reply, error) -> {
            if (error != null) {
                metrics.replicaFailures.increment();
                sendNext(operation, epoch, partition, key, operation.onFailure(send.index(), failureReason(error)), newerEpoch);
                return;
            }
            if (sentNanos >= 0 && (reply instanceof ReadReply || reply instanceof DigestReply)) {
                readLatency.record(time.monotonicNanos() - sentNanos);
            }
            observe(reply);
            if (reply instanceof NotMine notMine) {
                synchronized (newerEpoch) {
                    newerEpoch[0] = Math.max(newerEpoch[0], notMine.epoch());
                }
            }
            sendNext(operation, epoch, partition, key, operation.onReply(send.index(), reply), newerEpoch);
        });
    }

    private void sendNext(ReadOperation operation, long epoch, int partition, byte[] key, ReadOperation.Send send,
                          long[] newerEpoch) {
        if (send != null) {
            sendRead(operation, epoch, partition, key, send, newerEpoch);
        }
    }

    private CompletableFuture<WriteResult> write(String name, byte[] key, Entry entry, Consistency consistency) {
        return routed(state -> writeOnce(state, name, key, entry, consistency));
    }

    private Attempt<WriteResult> writeOnce(RingState state, String name, byte[] key, Entry entry,
                                           Consistency consistency) {
        Ring ring = state.current();
        int partition = ring.partitionOf(key);
        int required = consistency.required(config.replicas());
        List<NodeId> up = router.upReplicas(ring, partition);
        boolean sloppy = up.size() < required && router.sloppy();
        List<ReplicaTarget> targets;
        if (sloppy) {
            targets = router.sloppyTargets(ring, partition);
        } else {
            targets = new ArrayList<>(up.size());
            for (NodeId replica : up) {
                targets.add(new ReplicaTarget(replica, null));
            }
            // Replicas believed down miss the write: keep it for them here.
            for (NodeId down : router.downReplicas(ring, partition)) {
                handoff.keep(down, partition, key, entry);
            }
        }
        if (targets.size() < required) {
            return new Attempt<>(CompletableFuture.failedFuture(tooFewReplicas(ring, name, targets.size(), required,
                    partition)), () -> 0L);
        }
        Set<NodeId> next = null;
        Set<NodeId> incomingOnly = Set.of();
        if (state.moving(partition)) {
            // The partition moves: the nodes gaining it take the write too, and the next
            // replicas must reach the level as the current ones do.
            next = new HashSet<>(state.next().replicas(partition));
            incomingOnly = new HashSet<>(state.incoming(partition));
            int nextUp = 0;
            for (NodeId node : state.next().replicas(partition)) {
                if (router.isUp(node)) {
                    nextUp++;
                    if (incomingOnly.contains(node)) {
                        targets.add(new ReplicaTarget(node, null));
                    }
                } else {
                    handoff.keep(node, partition, key, entry);
                }
            }
            if (nextUp < required) {
                return new Attempt<>(CompletableFuture.failedFuture(new NotEnoughReplicasException(name, 0, required,
                        "partition " + partition + " is moving to " + state.next().replicas(partition) + " and only "
                                + nextUp + " of them are up")), () -> 0L);
            }
        }
        WriteOperation operation = new WriteOperation(name, entry.writeVersion(), required, targets,
                sloppy ? targets.size() + config.replicas() : targets.size(), sloppy, next, incomingOnly);
        ReplicaTarget selfTarget = null;
        for (ReplicaTarget target : targets) {
            if (target.node().equals(self)) {
                selfTarget = target;
            } else {
                sendWrite(operation, state, partition, key, entry, target, sloppy);
            }
        }
        if (selfTarget != null) {
            sendWrite(operation, state, partition, key, entry, selfTarget, sloppy);
        }
        return new Attempt<>(operation.result(), operation::newerEpoch);
    }

    /**
     * Sends the write to one target. If it fails to answer, the replica it stood for keeps
     * a hint here; in a sloppy write the next up node clockwise then takes it in that
     * replica's place, while the write still needs answers. One callback object per request
     * (this runs for every replica of every write), so reply and failure share it.
     */
    private void sendWrite(WriteOperation operation, RingState state, int partition, byte[] key, Entry entry,
                           ReplicaTarget target, boolean sloppy) {
        endpoints.request(target.node(), new WriteRequest(partition, key, entry, target.hintFor(), state.epoch()),
                (reply, error) -> {
                    NodeId missed = target.isStandIn() ? target.hintFor() : target.node();
                    Function<Set<NodeId>, NodeId> nextStandIn = sloppy
                            ? tried -> router.nextStandIn(state.current(), partition, tried) : null;
                    NodeId standIn;
                    if (error == null) {
                        if (reply instanceof WriteReply ack && ack.stored() != null) {
                            clock.observe(ack.stored().stamp());
                        }
                        if (!(reply instanceof WriteReply)) {
                            handoff.keep(missed, partition, key, entry);
                        }
                        standIn = operation.onReply(target.node(), reply, nextStandIn);
                    } else {
                        metrics.replicaFailures.increment();
                        handoff.keep(missed, partition, key, entry);
                        standIn = operation.onFailure(target.node(), failureReason(error), nextStandIn);
                    }
                    if (standIn != null) {
                        sendWrite(operation, state, partition, key, entry, new ReplicaTarget(standIn, missed), true);
                    }
                });
    }

    /** Sends the newest entry to every replica that answered with something older. */
    private void repair(int partition, byte[] key, ReadOperation done) {
        Entry newest = done.newest();
        for (NodeId stale : done.staleReplicas()) {
            metrics.readRepairs.increment();
            // Best effort: anti-entropy repairs what read repair could not.
            endpoints.request(stale, new WriteRequest(partition, key, newest));
        }
    }

    /** The targets with this node first when it is one of them, the others in their order. */
    private List<NodeId> selfFirst(List<NodeId> targets) {
        int at = targets.indexOf(self);
        if (at <= 0) {
            return targets;
        }
        List<NodeId> ordered = new ArrayList<>(targets.size());
        ordered.add(self);
        for (NodeId target : targets) {
            if (!target.equals(self)) {
                ordered.add(target);
            }
        }
        return ordered;
    }

    private Version newVersion() {
        return new Version(clock.now(), self.number());
    }

    /** Lets this node's clock see the versions replicas hold, within the skew bound. */
    private void observe(Message reply) {
        if (reply instanceof ReadReply read && read.entry() != null) {
            clock.observe(read.entry().writeVersion().stamp());
        } else if (reply instanceof DigestReply digest && digest.version() != null) {
            clock.observe(digest.version().stamp());
            clock.observe(digest.expiry().version().stamp());
            clock.observe(digest.fieldsVersion().stamp());
        }
    }

    private void checkKey(byte[] key) {
        if (key == null) {
            throw new DkvException("key must not be null");
        }
        if (key.length > config.maxKeyBytes()) {
            throw new LimitExceededException("key is " + key.length + " bytes, more than max-key-bytes ("
                    + config.maxKeyBytes() + ")");
        }
    }

    private void checkValue(byte[] value) {
        if (value == null) {
            throw new DkvException("value must not be null");
        }
        if (value.length > config.maxValueBytes()) {
            throw new LimitExceededException("value is " + value.length + " bytes, more than max-value-bytes ("
                    + config.maxValueBytes() + ")");
        }
    }

    private void checkHash(HashFields fields) {
        if (fields.isEmpty()) {
            throw new DkvException("a hash write needs at least one field");
        }
        if (fields.sizeBytes() > config.maxValueBytes()) {
            throw new LimitExceededException("the fields are " + fields.sizeBytes() + " bytes with their bookkeeping,"
                    + " more than max-value-bytes (" + config.maxValueBytes() + ")");
        }
    }

    private NotEnoughReplicasException tooFewReplicas(Ring ring, String operation, int reachable, int required,
                                                      int partition) {
        return new NotEnoughReplicasException(operation, 0, required, "only " + reachable + " of "
                + config.replicas() + " replicas " + (router.sloppy() && !"read".equals(operation) ? "or stand-ins " : "")
                + "are up; down: " + router.downReplicas(ring, partition));
    }

    /** What a failed request's callback is told: the peer's reason, or the error's message. */
    private static String failureReason(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof PeerUnavailableException unavailable) {
            return unavailable.reason();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
