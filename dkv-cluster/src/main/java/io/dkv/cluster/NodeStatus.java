package io.dkv.cluster;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.cluster.handoff.HintStore;
import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.repair.MerkleTreeBuilder;
import io.dkv.cluster.repair.Recovery;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.StorageEngine;

import java.util.Map;
import java.util.function.Supplier;

/**
 * What a status display may read of one node: its settings, the ring in force, what it
 * stores, the hints it keeps, its counters, whether it is recovering and how far it is in
 * building its hash trees. Read-only: the server's INFO, DKV.STATUS, /health, /metrics and
 * the dashboard see the node through this view, not through its storage or handoff objects.
 *
 * <p>Thread-safe: every figure is read from a thread-safe source at the time of the call.
 */
public final class NodeStatus {

    private final NodeId id;
    private final ClusterConfig config;
    private final Supplier<Ring> ring;
    private final StorageEngine storage;
    private final HintStore hints;
    private final NodeCounters counters;
    private final Recovery recovery;
    private final MerkleTreeBuilder trees;

    NodeStatus(NodeId id, ClusterConfig config, Supplier<Ring> ring, StorageEngine storage, HintStore hints,
               NodeCounters counters, Recovery recovery, MerkleTreeBuilder trees) {
        this.id = id;
        this.config = config;
        this.ring = ring;
        this.storage = storage;
        this.hints = hints;
        this.counters = counters;
        this.recovery = recovery;
        this.trees = trees;
    }

    public NodeId id() {
        return id;
    }

    public ClusterConfig config() {
        return config;
    }

    public Ring ring() {
        return ring.get();
    }

    /** Keys this node stores as a replica (tombstones not counted). */
    public long storedKeys() {
        return storage.keyCount();
    }

    public long storedTombstones() {
        return storage.tombstoneCount();
    }

    /** Approximate bytes of keys, values and bookkeeping stored. */
    public long storedBytes() {
        return storage.bytes();
    }

    /** Hints kept here for replicas that missed writes. */
    public long pendingHints() {
        return hints.count();
    }

    public long pendingHintBytes() {
        return hints.bytes();
    }

    /** Hints kept here, per replica they are for. */
    public Map<NodeId, Integer> hintsByTarget() {
        return hints.countsByTarget();
    }

    /** The node's counters (repair, handoff, clock skew, duty failures). */
    public NodeCounters counters() {
        return counters;
    }

    /** Whether the node may lack data and does not count toward quorums yet. */
    public boolean recovering() {
        return recovery.isRecovering();
    }

    /**
     * Partitions whose hash tree is built (of {@code ring().partitionCount()}): after a
     * restart they are built in the background, and anti-entropy uses only those.
     */
    public int merkleTreesBuilt() {
        return trees.built();
    }

    /** Bytes of hash-tree leaves held: they grow with the partitions that hold data, not with the partition count. */
    public long merkleTreeBytes() {
        return trees.leafBytes();
    }

    /** How long building every hash tree took after the node started, or -1 while some are not built. */
    public long merkleTreesBuiltInMillis() {
        return trees.builtInMillis();
    }
}
