package io.dkv.cluster.replica;

import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.handoff.HintedHandoff;
import io.dkv.cluster.rebalance.EpochFence;
import io.dkv.cluster.repair.Recovery;
import io.dkv.cluster.runtime.Clock;
import io.dkv.core.ClockSkewException;
import io.dkv.core.DkvException;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.cluster.keyspace.KeyScans;
import io.dkv.core.message.DigestReply;
import io.dkv.core.message.KeyCountReply;
import io.dkv.core.message.KeyCountRequest;
import io.dkv.core.message.KeyScanRequest;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadReply;
import io.dkv.core.message.NotMine;
import io.dkv.core.message.ReadRequest;
import io.dkv.core.message.WriteReply;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.storage.MergeResult;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.HybridLogicalClock;
import io.dkv.core.version.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The replica side of reads and writes: applies them to this node's storage, or to its
 * hints when it stands in for a down replica. Used for requests from peers and, without a
 * network hop, when the coordinator is itself a target (through {@link ReplicaEndpoints}).
 *
 * <p>Everything that arrives is checked before it touches state: the partition and the
 * node a hint is for must exist, and a version stamped further ahead of this node's clock
 * than the skew bound is refused ({@link ClockSkewException}). A node that is recovering
 * applies writes but says so in its answer, and refuses reads: neither may count toward a
 * consistency level while it may lack data.
 *
 * <p>Thread-safe, as the storage engine, hint store and clock are.
 */
public final class LocalReplica {

    private static final Logger log = LoggerFactory.getLogger(LocalReplica.class);
    private static final long SKEW_LOG_INTERVAL_MILLIS = 10_000;

    private final NodeId self;
    private final int partitions;
    private final StorageEngine storage;
    private final HybridLogicalClock clock;
    private final Clock wall;
    private final long tombstoneGraceMillis;
    private final HintedHandoff handoff;
    private final Recovery recovery;
    private final NodeCounters metrics;
    private final EpochFence fence;
    private volatile long lastSkewLogMillis = Long.MIN_VALUE;

    /**
     * @param partitions           how many partitions the ring has
     * @param tombstoneGraceMillis a tombstone older than this is not stored where the key is
     *                             absent: it may already have been purged everywhere else
     */
    public LocalReplica(NodeId self, int partitions, StorageEngine storage, HybridLogicalClock clock,
                        Clock wall, long tombstoneGraceMillis, HintedHandoff handoff, Recovery recovery,
                        NodeCounters metrics) {
        this(self, partitions, storage, clock, wall, tombstoneGraceMillis, handoff, recovery, metrics, null);
    }

    /** @param fence refuses votes routed by an outdated ring; {@code null} for a node whose ring never changes */
    public LocalReplica(NodeId self, int partitions, StorageEngine storage, HybridLogicalClock clock,
                        Clock wall, long tombstoneGraceMillis, HintedHandoff handoff, Recovery recovery,
                        NodeCounters metrics, EpochFence fence) {
        this.fence = fence;
        this.self = self;
        this.partitions = partitions;
        this.storage = storage;
        this.clock = clock;
        this.wall = wall;
        this.tombstoneGraceMillis = tombstoneGraceMillis;
        this.handoff = handoff;
        this.recovery = recovery;
        this.metrics = metrics;
    }

    /**
     * Answers a read or write request, a write only once storage has made it as durable as
     * it promises ({@link StorageEngine#whenDurable}: with {@code sync: always}, after the
     * fsync it shares with the writes around it). {@code reply} is called once: at once on
     * this thread, or for a write waiting for its sync on the thread that synced it. A
     * failed sync is an error reply.
     */
    public void answer(Message request, Consumer<Message> reply) {
        Message response = handle(request);
        if (!(response instanceof WriteReply)) {
            reply.accept(response);
            return;
        }
        CompletableFuture<Void> durable = storage.whenDurable();
        if (durable.isDone() && !durable.isCompletedExceptionally()) {
            reply.accept(response);
            return;
        }
        durable.whenComplete((ignored, failure) -> reply.accept(failure == null ? response : syncFailed(failure)));
    }

    private Message syncFailed(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof DkvException refusal ? ErrorReplies.of(refusal)
                : new ErrorReply(self + ": cannot make the write durable: " + cause);
    }

    /**
     * Answers a read or write request at once (a write logged, not yet synced); anything
     * else is an error reply. Never throws.
     */
    private Message handle(Message request) {
        try {
            if (request instanceof WriteRequest write) {
                if (fence == null || write.hintFor() != null) {
                    return write(write);
                }
                long epochBefore = fence.epoch();
                NotMine refused = fence.check(write.partition(), write.epoch(), false);
                if (refused != null) {
                    return refused;
                }
                WriteReply stored = write(write);
                // A ring installed while this write was stored may have started copying the
                // partition to a new replica before the write landed: then it must not count
                // as a vote (the coordinator tries again by the new ring, which reaches the
                // new replica too).
                if (fence.epoch() != epochBefore) {
                    refused = fence.check(write.partition(), write.epoch(), false);
                    if (refused != null) {
                        return refused;
                    }
                }
                return stored;
            }
            if (request instanceof ReadRequest read) {
                NotMine refused = fence == null ? null : fence.check(read.partition(), read.epoch(), true);
                return refused != null ? refused : read(read);
            }
            if (request instanceof KeyScanRequest scan) {
                NotMine refused = fence == null ? null : fence.check(scan.partition(), scan.epoch(), true);
                return refused != null ? refused : scan(scan);
            }
            if (request instanceof KeyCountRequest count) {
                return count(count);
            }
            return new ErrorReply("a replica answers reads, writes, key scans and key counts, not " + request.getClass().getSimpleName());
        } catch (DkvException e) {
            return ErrorReplies.of(e);
        }
    }

    /**
     * Merges the entry into this node's storage, or keeps it as a hint when the request
     * says this node stands in for another. Replicas observe the write's stamp so that any
     * write they coordinate later is ordered after it.
     *
     * @throws DkvException when the entry cannot be kept (storage or hint store full, a
     *                      version too far ahead of this clock, a bad partition or hint target)
     */
    public WriteReply write(WriteRequest request) {
        checkPartition(request.partition());
        Entry entry = request.entry();
        admit(entry.writeVersion());
        if (request.hintFor() != null) {
            checkNode(request.hintFor(), "hint target");
            if (!handoff.keep(request.hintFor(), request.partition(), request.key(), entry)) {
                throw new DkvException("cannot keep a hint for " + request.hintFor() + " (hinted handoff off or hint store full)");
            }
            return WriteReply.HINT_KEPT;
        }
        MergeResult result = mergeUnlessPurgeable(request.partition(), request.key(), entry);
        Version stored = Entry.merge(result.previous(), entry).writeVersion();
        return new WriteReply(liveNow(result.previous()), stored, recovery.isRecovering());
    }

    /** Whether a client would read a value in {@code entry} now; the clock is read only for an expiry. */
    private boolean liveNow(Entry entry) {
        return entry != null && (entry.expiry().isSet() ? entry.liveAt(wall.wallMillis()) : !entry.isTombstone());
    }

    /**
     * Merges an entry that arrived from elsewhere (a write, a hint, a repair), with one
     * exception: a tombstone, or an entry expired, past the grace period is not stored where
     * the key is absent.
     * Every replica may have purged it already; storing it again would only restart its
     * collection, and there is no value here for it to hide.
     */
    public MergeResult mergeUnlessPurgeable(int partition, byte[] key, Entry entry) {
        long deadSince = entry.deadSinceMillis();
        // A live entry that never expires (most writes) needs no look at the clock.
        if (deadSince != Long.MAX_VALUE && deadSince < wall.wallMillis() - tombstoneGraceMillis
                && storage.get(partition, key) == null) {
            return new MergeResult(false, null);
        }
        return storage.merge(partition, key, entry);
    }

    /**
     * Lets a version in: advances this node's clock past it, or refuses it when it is more
     * than the skew bound ahead (counted, logged now and then, and named in the error).
     *
     * @throws ClockSkewException when the version is too far ahead
     */
    public void admit(Version version) {
        if (clock.observe(version.stamp())) {
            return;
        }
        metrics.clockSkewRefusals.increment();
        metrics.lastSkewedWriter = version.node();
        ClockSkewException refused = new ClockSkewException(self, version.node(), clock.aheadMillis(version.stamp()),
                clock.maxSkewMillis());
        long now = wall.monotonicMillis();
        if (now - lastSkewLogMillis >= SKEW_LOG_INTERVAL_MILLIS) {
            lastSkewLogMillis = now;
            log.warn("{} ({} refused so far)", refused.getMessage(), metrics.clockSkewRefusals.sum());
        }
        throw refused;
    }

    /** The entry this node holds for the key; {@code null} when none. */
    public Entry lookup(int partition, byte[] key) {
        return storage.get(partition, key);
    }

    /**
     * The entry for the key ({@link ReadReply}), or only its version when the request asks
     * for a digest (with a summary of its hash fields, which the coordinator asks for in full
     * when they differ from the fields at hand). A recovering node refuses: its "absent" could
     * outvote a replica that has the key.
     */
    public Message read(ReadRequest request) {
        checkPartition(request.partition());
        if (recovery.isRecovering()) {
            return new ErrorReply(self + " is recovering (comparing its partitions with the other replicas)"
                    + " and does not answer reads yet");
        }
        Entry entry = lookup(request.partition(), request.key());
        if (request.digest()) {
            return DigestReply.of(entry);
        }
        return entry == null ? ReadReply.MISSING : new ReadReply(entry);
    }

    /**
     * A page of the partition's keys for a cluster-wide scan; refused while recovering, as a
     * read is: a missing key here must not hide one the other replicas hold.
     */
    public Message scan(KeyScanRequest request) {
        checkPartition(request.partition());
        if (recovery.isRecovering()) {
            return new ErrorReply(self + " is recovering and does not answer key scans yet");
        }
        return KeyScans.page(storage, request);
    }

    /**
     * This replica's key counts of the asked partitions, from the engine's counters (no key
     * is read); refused while recovering: a count missing keys would make DBSIZE low.
     */
    public Message count(KeyCountRequest request) {
        for (int partition : request.partitions()) {
            checkPartition(partition);
        }
        if (recovery.isRecovering()) {
            return new ErrorReply(self + " is recovering and does not answer key counts yet");
        }
        long[] counts = new long[request.partitions().length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = storage.keyCount(request.partitions()[i]);
        }
        return new KeyCountReply(counts);
    }

    public StorageEngine storage() {
        return storage;
    }

    private void checkPartition(int partition) {
        if (partition < 0 || partition >= partitions) {
            throw new DkvException("partition " + partition + " does not exist (the ring has " + partitions + ")");
        }
    }

    private void checkNode(NodeId node, String role) {
        if (node.equals(self)) {
            throw new DkvException(role + " " + node + " is not another node (it is this one)");
        }
    }
}
