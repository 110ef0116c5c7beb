package io.dkv.cluster.repair;

import io.dkv.cluster.membership.LivenessView;
import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.config.RepairConfig;
import io.dkv.cluster.rebalance.RingState;
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
import io.dkv.core.message.MerkleRootsReply;
import io.dkv.core.message.MerkleRootsRequest;
import io.dkv.core.message.Message;
import io.dkv.core.message.WriteReply;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.EntryVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Repairs keys nobody reads: replicas of a partition compare hash trees and exchange only
 * the entries that differ (Dynamo section 4.7).
 *
 * <p>A round sends each peer that is up one {@link MerkleRootsRequest}: the roots of the next
 * partitions this node shares with it (as many as {@link #ROOTS_BATCH_BYTES} holds; the
 * peer's cursor then moves on), and the peer names those whose roots differ. Only these are
 * compared further, one after another, at most {@link #DESCENTS_PER_ROUND} per round: leaves,
 * then the keys in the differing leaves, and each side ends with the newer entry of every
 * key. So a quiet cluster costs one message per peer per round, and a pass over every
 * partition takes (partitions shared with a peer / roots per request) rounds, whatever the
 * partition count. Three limits keep it from starving clients: rounds are spaced by the
 * configured interval, a {@link ByteBudget} caps the entry bytes moved per second, and every
 * message stays within the internode frame limit (an exchange that would not fit is cut
 * short and marked incomplete: the leaves still differ and the next comparison continues).
 * The entries this node owes a peer are sent one after another, each after the previous was
 * answered.
 *
 * <p>A partition whose tree is not built yet ({@link MerkleTreeBuilder}, after a restart) is
 * skipped: its root would not stand for what the partition holds.
 *
 * <p>Which partitions are shared with whom follows the ring in force ({@link #follow}, on
 * every installed ring state): during a move, a partition's current and next replicas all
 * compare with each other.
 *
 * <p>A recovering node ({@link Recovery}) also runs {@link #recoveryRound}: the same batches
 * for the comparisons it owes, one in flight per peer, then the differing partitions several
 * at a time, without the interval's pause (the byte budget still applies).
 *
 * <p>Thread-safety: rounds start on the scheduler thread, continue on whatever thread
 * answers; the cursors are touched only when a round starts (on the scheduler thread, one
 * round at a time); the shared state is the in-flight flag, the concurrent sets of recovery
 * work in flight and the (synchronized) byte budget. The responder side
 * ({@link AntiEntropyResponder}) only reads the thread-safe trees and storage.
 */
public final class AntiEntropy {

    private static final Logger log = LoggerFactory.getLogger(AntiEntropy.class);
    static final long BATCH_BYTES = 4L << 20;
    /**
     * The most (partition, root) bytes one {@link MerkleRootsRequest} carries: 1,365
     * partitions, so a node sharing 4096 partitions with a peer sweeps them in 3 rounds
     * (0.6 s at the default interval) for ~16 KiB per peer per round when nothing differs.
     */
    static final int ROOTS_BATCH_BYTES = 16 << 10;
    /** Differing partitions compared (leaves, then keys) per round; more are found again next pass. */
    static final int DESCENTS_PER_ROUND = 16;
    /** Recovery comparisons in flight at once. */
    static final int RECOVERY_PARALLELISM = 8;

    private final NodeId self;
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
    /** Replaced whole by {@link #follow} when a ring state is installed; read when a round starts. */
    private volatile SharedPartitions shared;
    private final int rootsPerRequest;
    private final AtomicBoolean comparing = new AtomicBoolean();
    private final Set<Recovery.Pair> recoveringNow = ConcurrentHashMap.newKeySet();
    /** Owed comparisons whose roots differed: compared further by the next recovery rounds. */
    private final Set<Recovery.Pair> recoveryDiffering = ConcurrentHashMap.newKeySet();
    /** Chains of recovery comparisons running ({@link #recoverNext}). */
    private final AtomicInteger recoveryWorkers = new AtomicInteger();
    /** Peers with a recovery batch of roots in flight. */
    private final Set<NodeId> recoveryBatches = ConcurrentHashMap.newKeySet();
    /** Partitions whose last exchange had an entry refused (clock skew): not compared again before the time given. */
    private final Map<Integer, Long> deferredUntil = new ConcurrentHashMap<>();
    private final Clock clock;

    /** What anti-entropy is handed; one record instead of a dozen positional arguments. */
    public record Parts(NodeId self, Ring ring, RepairConfig config, StorageEngine storage, MerkleTrees trees,
                        Transport transport, LivenessView liveness, RandomGenerator random, Clock clock,
                        long timeoutMillis, int maxMessageBytes, NodeCounters metrics, LocalReplica replica,
                        Recovery recovery) {
    }

    public AntiEntropy(Parts parts) {
        this.self = parts.self();
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
        this.shared = new SharedPartitions(self, parts.ring(), parts.ring().partitionsReplicatedBy(self));
        this.rootsPerRequest = (int) Math.max(1, Math.min(ROOTS_BATCH_BYTES, limits.hardBytes() - 64)
                / MerkleRootsRequest.BYTES_PER_PARTITION);
    }

    /**
     * Compares from now on the partitions this node holds copies of in {@code state}, with
     * every other holder ({@link RingState#holders}: during a move, the next replicas too),
     * and hands the state to {@link Recovery}. Runs on the scheduler thread, as rounds start.
     */
    public void follow(RingState state) {
        shared = SharedPartitions.of(self, state);
        recovery.follow(state);
    }

    /** The side that answers peers' comparisons. */
    public AntiEntropyResponder responder() {
        return responder;
    }

    /**
     * Starts one round unless one is still running: a batch of roots to every peer that is
     * up, then the partitions found differing, one after another, while the byte budget
     * allows and at most {@link #DESCENTS_PER_ROUND}. Matching roots cost 12 bytes each, so
     * a quiet cluster is swept fast, and the interval between rounds limits only the real
     * repair work. Runs on the scheduler thread.
     */
    public void round() {
        if (shared.peers().isEmpty() || !budget.mayStart() || !comparing.compareAndSet(false, true)) {
            return;
        }
        List<CompletableFuture<List<Recovery.Pair>>> batches;
        try {
            batches = sendBatches();
        } catch (RuntimeException e) {
            comparing.set(false);
            throw e;
        }
        if (batches.isEmpty()) {
            comparing.set(false);
            return;
        }
        CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new)).thenCompose(all -> {
            List<Recovery.Pair> differing = new ArrayList<>();
            batches.forEach(batch -> differing.addAll(batch.join()));
            // Several peers may differ on one partition; which goes first does not matter, but
            // a fixed order would always leave the same ones past DESCENTS_PER_ROUND.
            for (int i = differing.size() - 1; i > 0; i--) {
                Collections.swap(differing, i, random.nextInt(i + 1));
            }
            return descend(differing, 0, DESCENTS_PER_ROUND);
        }).whenComplete((done, error) -> {
            comparing.set(false);
            if (error != null) {
                log.debug("{}: anti-entropy round stopped: {}", self, error.toString());
            }
        });
    }

    /** Sends every peer that is up its next batch of roots; each future completes with the pairs that differ. */
    private List<CompletableFuture<List<Recovery.Pair>>> sendBatches() {
        List<CompletableFuture<List<Recovery.Pair>>> batches = new ArrayList<>();
        SharedPartitions shared = this.shared;
        for (NodeId peer : shared.peers()) {
            if (!liveness.isUp(peer)) {
                continue;
            }
            int[] batch = shared.nextBatch(peer, rootsPerRequest, partition -> trees.isBuilt(partition)
                    && !deferred(partition));
            if (batch.length > 0) {
                batches.add(compareRoots(peer, batch).thenApply(reply -> {
                    List<Recovery.Pair> differing = new ArrayList<>();
                    for (int partition : reply.differing()) {
                        differing.add(new Recovery.Pair(partition, peer));
                    }
                    return differing;
                }).exceptionally(error -> {
                    log.debug("{}: anti-entropy roots with {} failed: {}", self, peer, error.toString());
                    return List.of();
                }));
            }
        }
        return batches;
    }

    /** Compares the roots of {@code batch} with the peer's; counts each as a comparison. */
    private CompletableFuture<MerkleRootsReply> compareRoots(NodeId peer, int[] batch) {
        long[] roots = new long[batch.length];
        for (int i = 0; i < batch.length; i++) {
            roots[i] = trees.root(batch[i]);
        }
        metrics.antiEntropyComparisons.add(batch.length);
        return transport.request(peer, new MerkleRootsRequest(batch, roots), timeoutMillis)
                .thenApply(reply -> expect(reply, MerkleRootsReply.class));
    }

    /** Compares {@code differing[index]} further, then the next, while budget and {@code left} allow. */
    private CompletableFuture<Void> descend(List<Recovery.Pair> differing, int index, int left) {
        if (index >= differing.size() || left == 0 || !budget.mayStart()) {
            return CompletableFuture.completedFuture(null);
        }
        Recovery.Pair pair = differing.get(index);
        if (deferred(pair.partition())) {
            return descend(differing, index + 1, left);
        }
        return compare(pair.partition(), pair.peer())
                .handle((outcome, error) -> {
                    if (error != null) {
                        log.debug("{}: anti-entropy of partition {} with {} failed: {}", self, pair.partition(),
                                pair.peer(), error.toString());
                    }
                    return null;
                })
                .thenCompose(ignored -> descend(differing, index + 1, left - 1));
    }

    /**
     * While this node is recovering: sends each peer that is up a batch of the roots of the
     * partitions it still owes that peer (one batch in flight per peer); a partition whose
     * roots match is compared; those that differ are compared further, {@link
     * #RECOVERY_PARALLELISM} at a time. Ends recovery once none is owed and every tree is
     * built (a partition whose tree is not built yet is not compared; without the second
     * condition a node whose peers are all down would stop recovering before it could
     * compare at all). Runs on the scheduler thread.
     */
    public void recoveryRound() {
        if (!recovery.isRecovering() || (trees.allBuilt() && recovery.finishIfDone(liveness))) {
            return;
        }
        if (!budget.mayStart()) {
            return;
        }
        for (NodeId peer : recovery.peersOwed()) {
            if (liveness.isUp(peer) && !recoveryBatches.contains(peer)) {
                recoveryBatch(peer);
            }
        }
        // Bounded: a chain that finds only pairs with a down peer (or deferred) ends at once.
        for (int attempt = 0; attempt < RECOVERY_PARALLELISM && !recoveryDiffering.isEmpty(); attempt++) {
            int workers = recoveryWorkers.get();
            if (workers >= RECOVERY_PARALLELISM) {
                break;
            }
            if (recoveryWorkers.compareAndSet(workers, workers + 1)) {
                recoverNext();
            }
        }
    }

    /**
     * One of the {@link #RECOVERY_PARALLELISM} chains of recovery comparisons: takes an owed
     * partition whose roots differed, compares it, and when that is done takes the next, so
     * the pace is set by round trips and the byte budget, not by the recovery interval.
     * Ends (freeing its place) when none is left; the next recovery round starts it again
     * if batches found more.
     */
    private void recoverNext() {
        Recovery.Pair pair = null;
        if (recovery.isRecovering() && budget.mayStart()) {
            for (Recovery.Pair candidate : recoveryDiffering) {
                if (liveness.isUp(candidate.peer()) && !deferred(candidate.partition())
                        && recoveryDiffering.remove(candidate)) {
                    pair = candidate;
                    break;
                }
            }
        }
        if (pair == null) {
            recoveryWorkers.decrementAndGet();
            return;
        }
        Recovery.Pair taken = pair;
        recoveringNow.add(taken);
        compare(taken.partition(), taken.peer()).whenComplete((outcome, error) -> {
            recoveringNow.remove(taken);
            if (error == null && outcome != Outcome.INCOMPLETE) {
                recovery.compared(taken.partition(), taken.peer());
            } else if (error != null) {
                log.debug("{}: recovery comparison of partition {} with {} failed: {}", self, taken.partition(),
                        taken.peer(), error.toString());
            }
            recoverNext();
        });
    }

    private void recoveryBatch(NodeId peer) {
        int[] batch = recovery.owedWith(peer).stream()
                .filter(partition -> trees.isBuilt(partition) && !deferred(partition))
                .filter(partition -> !recoveryDiffering.contains(new Recovery.Pair(partition, peer))
                        && !recoveringNow.contains(new Recovery.Pair(partition, peer)))
                .limit(rootsPerRequest)
                .mapToInt(Integer::intValue)
                .toArray();
        if (batch.length == 0 || !recoveryBatches.add(peer)) {
            return;
        }
        CompletableFuture<MerkleRootsReply> roots;
        try {
            roots = compareRoots(peer, batch);
        } catch (RuntimeException e) {
            recoveryBatches.remove(peer);
            throw e;
        }
        roots.whenComplete((reply, error) -> {
            recoveryBatches.remove(peer);
            if (error != null) {
                log.debug("{}: recovery roots with {} failed: {}", self, peer, error.toString());
                return;
            }
            Set<Integer> unsettled = new HashSet<>();
            for (int partition : reply.notBuilt()) {
                unsettled.add(partition);
            }
            for (int partition : reply.differing()) {
                unsettled.add(partition);
                recoveryDiffering.add(new Recovery.Pair(partition, peer));
            }
            for (int partition : batch) {
                if (!unsettled.contains(partition)) {
                    recovery.compared(partition, peer);
                }
            }
        });
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
        if (deferredUntil.isEmpty()) {
            return false; // the usual case, asked for every partition of every round: no boxing
        }
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
        List<EntryVersion> versions = new ArrayList<>();
        long[] bytes = {0};
        boolean[] truncated = {false};
        storage.forEachEntry(partition, (key, entry) -> {
            if (!differing.contains(MerkleTrees.leafOf(key))) {
                return;
            }
            long size = key.length + MessageLimits.PER_KEY_BYTES;
            if (keys.size() < limits.maxKeys() && bytes[0] + size <= limits.batchBytes()) {
                keys.add(key);
                versions.add(entry.versions());
                bytes[0] += size;
            } else {
                truncated[0] = true;
            }
        });
        metrics.antiEntropyKeysCompared.add(keys.size());
        KeyDigests request = new KeyDigests(partition, leafList.stream().mapToInt(Integer::intValue).toArray(),
                keys.toArray(byte[][]::new), versions.toArray(EntryVersion[]::new));
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
                replica.admit(entry.writeVersion());
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
