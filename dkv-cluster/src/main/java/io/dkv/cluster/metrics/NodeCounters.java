package io.dkv.cluster.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of a node's background and repair work, read by status displays and the metrics
 * endpoint. Thread-safe; counting costs a striped add.
 */
public final class NodeCounters {

    public final LongAdder peersMarkedDown = new LongAdder();
    public final LongAdder replicaFailures = new LongAdder();
    public final LongAdder readRepairs = new LongAdder();
    /** Reads that asked one more replica because the ones asked were slower than recent reads. */
    public final LongAdder speculativeReads = new LongAdder();
    public final LongAdder hintsStored = new LongAdder();
    public final LongAdder hintsDropped = new LongAdder();
    public final LongAdder hintsReplayed = new LongAdder();
    public final LongAdder hintsExpired = new LongAdder();
    /** Hints for a node no longer in the ring, handed to the partition's replicas instead. */
    public final LongAdder hintsRedirected = new LongAdder();
    public final LongAdder antiEntropyComparisons = new LongAdder();
    public final LongAdder antiEntropyKeysCompared = new LongAdder();
    public final LongAdder antiEntropyKeysRepaired = new LongAdder();
    public final LongAdder tombstonesPurged = new LongAdder();
    /** Entries deleted because this node no longer replicates their partition (after a ring change). */
    public final LongAdder partitionEntriesDropped = new LongAdder();
    public final LongAdder clockSkewRefusals = new LongAdder();
    public final LongAdder dutyFailures = new LongAdder();
    public final LongAdder antiEntropyBytes = new LongAdder();
    /** Requests tried again by a newer ring after a replica refused them as routed by an older one. */
    public final LongAdder staleRingRetries = new LongAdder();
    /** Partition copies this node received whole from another replica, and their bytes of keys and values. */
    public final LongAdder streamedPartitions = new LongAdder();
    public final LongAdder streamedBytes = new LongAdder();
    /** The node number of the writer of the last version refused for clock skew (0: none yet). */
    public volatile int lastSkewedWriter;
}
