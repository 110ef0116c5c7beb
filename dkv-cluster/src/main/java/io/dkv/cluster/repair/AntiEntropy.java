package io.dkv.cluster.repair;

import io.dkv.cluster.LivenessView;
import io.dkv.cluster.NodeMetrics;
import io.dkv.cluster.RepairConfig;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.DkvException;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.message.KeyDigests;
import io.dkv.core.message.KeyDigestsReply;
import io.dkv.core.message.MerkleLeavesReply;
import io.dkv.core.message.MerkleRootRequest;
import io.dkv.core.message.Message;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * Repairs keys nobody reads: replicas of a partition compare hash trees and exchange only
 * the entries that differ (Dynamo section 4.7).
 *
 * <p>Each comparison takes the next partition this node replicates, picks another replica
 * of it that is up, and compares roots; when they differ, it compares leaves, then the keys
 * in the differing leaves, and each side ends with the newer entry of every key. One round
 * runs at a time and rounds are spaced by the configured interval, which caps the work
 * repair can take from client traffic: a round moves the keys of at most one partition,
 * at most {@code antiEntropyMaxKeys} keys and about {@link #BATCH_BYTES} of data.
 *
 * <p>Thread-safety: rounds start on the scheduler thread, continue on whatever thread
 * answers; the only shared state is the in-flight flag. The responder side runs on the
 * transport's thread and only reads the thread-safe trees and storage.
 */
public final class AntiEntropy {

    private static final Logger log = LoggerFactory.getLogger(AntiEntropy.class);
    static final long BATCH_BYTES = 4L << 20;

    private final NodeId self;
    private final Ring ring;
    private final RepairConfig config;
    private final StorageEngine storage;
    private final MerkleTrees trees;
    private final Transport transport;
    private final LivenessView liveness;
    private final RandomGenerator random;
    private final long timeoutMillis;
    private final NodeMetrics metrics;
    private final int[] partitions;
    private final AtomicBoolean comparing = new AtomicBoolean();
    private int cursor;

    public AntiEntropy(NodeId self, Ring ring, RepairConfig config, StorageEngine storage, MerkleTrees trees,
                       Transport transport, LivenessView liveness, RandomGenerator random, long timeoutMillis,
                       NodeMetrics metrics) {
        this.self = self;
        this.ring = ring;
        this.config = config;
        this.storage = storage;
        this.trees = trees;
        this.transport = transport;
        this.liveness = liveness;
        this.random = random;
        this.timeoutMillis = timeoutMillis;
        this.metrics = metrics;
        this.partitions = ring.partitionsReplicatedBy(self);
    }

    /**
     * Starts one round unless one is still running. A round compares partitions one after
     * another until one differs (and its keys are exchanged) or {@link #ROOTS_PER_ROUND}
     * matched: matching roots cost one tiny message, so a quiet cluster is swept fast, and
     * the interval between rounds limits only the real repair work. Runs on the scheduler thread.
     */
    public void round() {
        if (partitions.length == 0 || !comparing.compareAndSet(false, true)) {
            return;
        }
        compareNext(ROOTS_PER_ROUND).whenComplete((done, error) -> {
            comparing.set(false);
            if (error != null) {
                log.debug("{}: anti-entropy round stopped: {}", self, error.toString());
            }
        });
    }

    static final int ROOTS_PER_ROUND = 16;

    /** Compares the next partition; if its roots matched and budget is left, goes on to the one after. */
    private CompletableFuture<Void> compareNext(int budget) {
        int partition = partitions[cursor++ % partitions.length];
        List<NodeId> peers = new ArrayList<>();
        for (NodeId replica : ring.replicas(partition)) {
            if (!replica.equals(self) && liveness.isUp(replica)) {
                peers.add(replica);
            }
        }
        if (peers.isEmpty()) {
            return budget > 1 ? compareNext(budget - 1) : CompletableFuture.completedFuture(null);
        }
        NodeId peer = peers.get(random.nextInt(peers.size()));
        metrics.antiEntropyComparisons.increment();
        return compare(partition, peer).thenCompose(matched ->
                matched && budget > 1 ? compareNext(budget - 1) : CompletableFuture.completedFuture(null));
    }

    /** Compares one partition with one peer; completes with whether their roots matched. */
    private CompletableFuture<Boolean> compare(int partition, NodeId peer) {
        return transport.request(peer, new MerkleRootRequest(partition, trees.root(partition)), timeoutMillis)
                .thenCompose(reply -> {
                    MerkleLeavesReply leaves = expect(reply, MerkleLeavesReply.class);
                    if (leaves.same()) {
                        return CompletableFuture.completedFuture(true);
                    }
                    KeyDigests digests = digestsOfDifferingLeaves(partition, leaves.leaves());
                    return transport.request(peer, digests, timeoutMillis)
                            .thenApply(answer -> {
                                reconcile(partition, peer, expect(answer, KeyDigestsReply.class));
                                return false;
                            });
                });
    }

    /** Our keys and versions in the leaves where our hash differs from the peer's. */
    private KeyDigests digestsOfDifferingLeaves(int partition, long[] theirLeaves) {
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
        storage.forEachEntry(partition, (key, entry) -> {
            if (keys.size() < config.antiEntropyMaxKeys() && bytes[0] < BATCH_BYTES
                    && differing.contains(MerkleTrees.leafOf(key))) {
                keys.add(key);
                versions.add(entry.version());
                bytes[0] += key.length + 12;
            }
        });
        metrics.antiEntropyKeysCompared.add(keys.size());
        return new KeyDigests(partition, leafList.stream().mapToInt(Integer::intValue).toArray(),
                keys.toArray(byte[][]::new), versions.toArray(Version[]::new));
    }

    /** Takes the peer's newer entries, and sends it ours where we are newer. */
    private void reconcile(int partition, NodeId peer, KeyDigestsReply reply) {
        for (int i = 0; i < reply.newerKeys().length; i++) {
            try {
                if (storage.merge(partition, reply.newerKeys()[i], reply.newerEntries()[i]).applied()) {
                    metrics.antiEntropyKeysRepaired.increment();
                }
            } catch (DkvException e) {
                log.warn("{}: anti-entropy could not store a repaired key: {}", self, e.getMessage());
            }
        }
        for (byte[] key : reply.wantedKeys()) {
            Entry ours = storage.get(partition, key);
            if (ours != null) {
                transport.request(peer, new WriteRequest(partition, key, ours), timeoutMillis)
                        .thenAccept(ack -> metrics.antiEntropyKeysRepaired.increment());
            }
        }
    }

    /** Responder, step 1: compare roots; on a mismatch hand back our leaves. */
    public Message onRootRequest(MerkleRootRequest request) {
        return trees.root(request.partition()) == request.root()
                ? MerkleLeavesReply.SAME
                : new MerkleLeavesReply(false, trees.leafHashes(request.partition()));
    }

    /** Responder, step 2: our entries the asker lacks or has older; the keys it has newer. */
    public Message onKeyDigests(KeyDigests request) {
        Map<ByteBuffer, Version> theirs = new HashMap<>();
        for (int i = 0; i < request.keys().length; i++) {
            theirs.put(ByteBuffer.wrap(request.keys()[i]), request.versions()[i]);
        }
        Set<Integer> leaves = new HashSet<>();
        for (int leaf : request.leaves()) {
            leaves.add(leaf);
        }
        List<byte[]> newerKeys = new ArrayList<>();
        List<Entry> newerEntries = new ArrayList<>();
        long[] bytes = {0};
        Set<ByteBuffer> seen = new HashSet<>();
        storage.forEachEntry(request.partition(), (key, entry) -> {
            if (!leaves.contains(MerkleTrees.leafOf(key))) {
                return;
            }
            ByteBuffer wrapped = ByteBuffer.wrap(key);
            seen.add(wrapped);
            Version their = theirs.get(wrapped);
            boolean fits = newerKeys.isEmpty() || (newerKeys.size() < config.antiEntropyMaxKeys() && bytes[0] < BATCH_BYTES);
            if ((their == null || entry.version().isAfter(their)) && fits) {
                newerKeys.add(key);
                newerEntries.add(entry);
                bytes[0] += key.length + entry.sizeBytes();
            }
        });
        List<byte[]> wanted = new ArrayList<>();
        theirs.forEach((key, version) -> {
            Entry ours = seen.contains(key) ? storage.get(request.partition(), key.array()) : null;
            if (ours == null || version.isAfter(ours.version())) {
                wanted.add(key.array());
            }
        });
        return new KeyDigestsReply(newerKeys.toArray(byte[][]::new), newerEntries.toArray(Entry[]::new),
                wanted.toArray(byte[][]::new));
    }

    private static <T extends Message> T expect(Message reply, Class<T> type) {
        if (type.isInstance(reply)) {
            return type.cast(reply);
        }
        throw new DkvException("expected " + type.getSimpleName() + ", got " + reply);
    }
}
