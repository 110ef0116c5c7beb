package io.dkv.cluster.config;

import io.dkv.core.Consistency;
import io.dkv.core.ring.Ring;
import io.dkv.core.version.HybridLogicalClock;

/**
 * The settings every node of a cluster shares. Validated once, when built, with messages
 * that name the setting (or the two settings) at fault.
 *
 * @param nodes              how many nodes the cluster starts with (ids n1..nN, its genesis
 *                           ring); nodes that join later take numbers beyond N, and nodes
 *                           that leave free none, so the live cluster may differ from it
 * @param replicas           how many nodes hold each key
 * @param partitions         how many partitions the hash space is cut into; fixed for the
 *                           cluster's life (the key layout on disk depends on it). It need
 *                           not exceed replicas or nodes: a partition's replicas are distinct
 *                           nodes whatever the count, and below nodes / replicas some nodes
 *                           simply hold nothing; keep it well above nodes for balance
 * @param ringSeed           seed of the ring's initial placement; equal on every node
 * @param readConsistency    default consistency of reads
 * @param writeConsistency   default consistency of writes and deletes
 * @param replicaTimeoutMillis how long a coordinator waits for one replica's answer
 * @param maxKeyBytes        largest accepted key
 * @param maxValueBytes      largest accepted value
 * @param memoryLimitBytes   writes that would take a node's store past this are refused
 * @param readRepairChance   probability that a read repairs the stale replicas it saw (0..1)
 * @param maxClockSkewMillis how far ahead of a node's clock a version it receives may be;
 *                           further ahead it is refused (CockroachDB's maximum offset idea)
 * @param failureDetection   gossip and phi-accrual settings
 * @param handoff            hinted handoff settings
 * @param repair             anti-entropy and tombstone settings
 * @param streamBytesPerSecond most bytes of keys and values per second a node takes in when it
 *                           copies partitions from other replicas (joins, replacements); 0 = no limit
 * @param speculativeRetry   which replicas a read asks first, and when it asks one more
 */
public record ClusterConfig(
        int nodes,
        int replicas,
        int partitions,
        long ringSeed,
        Consistency readConsistency,
        Consistency writeConsistency,
        long replicaTimeoutMillis,
        int maxKeyBytes,
        int maxValueBytes,
        long memoryLimitBytes,
        double readRepairChance,
        long maxClockSkewMillis,
        FailureDetectionConfig failureDetection,
        HandoffConfig handoff,
        RepairConfig repair,
        long streamBytesPerSecond,
        SpeculativeRetry speculativeRetry) {

    public static final int MIB = 1 << 20;

    /** Default streaming limit: enough to move a node's share quickly, little enough to leave clients their disk and network. */
    public static final long DEFAULT_STREAM_BYTES_PER_SECOND = 64L * MIB;

    public ClusterConfig {
        require(nodes >= 1, "nodes (" + nodes + ") must be at least 1");
        require(replicas >= 1, "replicas (" + replicas + ") must be at least 1");
        require(replicas <= nodes, "replicas (" + replicas + ") must not exceed nodes (" + nodes + ")");
        require(partitions >= 1 && partitions <= Ring.MAX_PARTITIONS,
                "partitions (" + partitions + ") must be between 1 and " + Ring.MAX_PARTITIONS);
        require(readConsistency != null, "read-consistency must be set");
        require(writeConsistency != null, "write-consistency must be set");
        require(replicaTimeoutMillis > 0, "replica-timeout-ms (" + replicaTimeoutMillis + ") must be positive");
        require(maxKeyBytes >= 1, "max-key-bytes (" + maxKeyBytes + ") must be at least 1");
        require(maxValueBytes >= 0, "max-value-bytes (" + maxValueBytes + ") must not be negative");
        require(memoryLimitBytes > 0, "memory-limit-bytes (" + memoryLimitBytes + ") must be positive");
        require(readRepairChance >= 0 && readRepairChance <= 1,
                "read-repair-chance (" + readRepairChance + ") must be between 0 and 1");
        require(maxClockSkewMillis >= 1 && maxClockSkewMillis <= HybridLogicalClock.MAX_SKEW_BOUND_MILLIS,
                "max-clock-skew-ms (" + maxClockSkewMillis + ") must be between 1 and "
                        + HybridLogicalClock.MAX_SKEW_BOUND_MILLIS);
        require(failureDetection != null && handoff != null && repair != null && speculativeRetry != null,
                "all setting groups must be set");
        require(speculativeRetry.maxMillis() >= speculativeRetry.minMillis(), "speculative-retry-max-ms ("
                + speculativeRetry.maxMillis() + ") must not be below speculative-retry-min-ms ("
                + speculativeRetry.minMillis() + ")");
        require(repair.tombstoneGraceMillis() > handoff.maxAgeMillis(),
                "tombstone-grace-ms (" + repair.tombstoneGraceMillis() + ") must exceed hint-max-age-ms ("
                        + handoff.maxAgeMillis() + "), or a late hint could bring a deleted value back");
        require(streamBytesPerSecond == 0 || streamBytesPerSecond >= 1024,
                "stream-bytes-per-second (" + streamBytesPerSecond + ") must be 0 (no limit) or at least 1024");
    }

    /**
     * The largest internode message: a write of the largest key and value, plus headroom for
     * its framing. Transports refuse longer frames; senders (anti-entropy) stay below it.
     */
    public int maxMessageBytes() {
        return (int) Math.min(Integer.MAX_VALUE - 1024, (long) maxKeyBytes + maxValueBytes + MESSAGE_HEADROOM_BYTES);
    }

    /** Room in {@link #maxMessageBytes()} for everything a message carries besides one key and value. */
    public static final int MESSAGE_HEADROOM_BYTES = 65_536;

    private static void require(boolean condition, String message) {
        ConfigChecks.require(condition, message);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .nodes(nodes).replicas(replicas).partitions(partitions).ringSeed(ringSeed)
                .readConsistency(readConsistency).writeConsistency(writeConsistency)
                .replicaTimeoutMillis(replicaTimeoutMillis).maxKeyBytes(maxKeyBytes).maxValueBytes(maxValueBytes)
                .memoryLimitBytes(memoryLimitBytes).readRepairChance(readRepairChance).maxClockSkewMillis(maxClockSkewMillis)
                .failureDetection(failureDetection).handoff(handoff).repair(repair)
                .streamBytesPerSecond(streamBytesPerSecond).speculativeRetry(speculativeRetry);
    }

    /** The ring every node of this cluster starts from: its initial placement of nodes n1..nN. */
    public Ring buildRing() {
        return Ring.initial(Ring.numberedNodes(nodes), replicas, partitions, ringSeed);
    }

    /** Collects settings; {@link #build()} validates them together. */
    public static final class Builder {
        private int nodes = 3;
        private int replicas = 3;
        private int partitions = Ring.DEFAULT_PARTITIONS;
        private long ringSeed = Ring.DEFAULT_SEED;
        private Consistency readConsistency = Consistency.QUORUM;
        private Consistency writeConsistency = Consistency.QUORUM;
        private long replicaTimeoutMillis = 1_000;
        private int maxKeyBytes = MIB;
        private int maxValueBytes = 16 * MIB;
        private long memoryLimitBytes = Long.MAX_VALUE;
        private double readRepairChance = 1.0;
        private long maxClockSkewMillis = 500;
        private FailureDetectionConfig failureDetection = FailureDetectionConfig.DEFAULT;
        private HandoffConfig handoff = HandoffConfig.DEFAULT;
        private RepairConfig repair = RepairConfig.DEFAULT;
        private long streamBytesPerSecond = DEFAULT_STREAM_BYTES_PER_SECOND;
        private SpeculativeRetry speculativeRetry = SpeculativeRetry.DEFAULT;

        private Builder() {
        }

        public Builder nodes(int nodes) {
            this.nodes = nodes;
            return this;
        }

        public Builder replicas(int replicas) {
            this.replicas = replicas;
            return this;
        }

        /** How many partitions the hash space has, for the cluster's life. */
        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        public Builder ringSeed(long ringSeed) {
            this.ringSeed = ringSeed;
            return this;
        }

        public Builder readConsistency(Consistency readConsistency) {
            this.readConsistency = readConsistency;
            return this;
        }

        public Builder writeConsistency(Consistency writeConsistency) {
            this.writeConsistency = writeConsistency;
            return this;
        }

        public Builder replicaTimeoutMillis(long replicaTimeoutMillis) {
            this.replicaTimeoutMillis = replicaTimeoutMillis;
            return this;
        }

        public Builder maxKeyBytes(int maxKeyBytes) {
            this.maxKeyBytes = maxKeyBytes;
            return this;
        }

        public Builder maxValueBytes(int maxValueBytes) {
            this.maxValueBytes = maxValueBytes;
            return this;
        }

        public Builder memoryLimitBytes(long memoryLimitBytes) {
            this.memoryLimitBytes = memoryLimitBytes;
            return this;
        }

        public Builder readRepairChance(double readRepairChance) {
            this.readRepairChance = readRepairChance;
            return this;
        }

        public Builder maxClockSkewMillis(long maxClockSkewMillis) {
            this.maxClockSkewMillis = maxClockSkewMillis;
            return this;
        }

        public Builder failureDetection(FailureDetectionConfig failureDetection) {
            this.failureDetection = failureDetection;
            return this;
        }

        public Builder handoff(HandoffConfig handoff) {
            this.handoff = handoff;
            return this;
        }

        public Builder repair(RepairConfig repair) {
            this.repair = repair;
            return this;
        }

        public Builder streamBytesPerSecond(long streamBytesPerSecond) {
            this.streamBytesPerSecond = streamBytesPerSecond;
            return this;
        }

        public Builder speculativeRetry(SpeculativeRetry speculativeRetry) {
            this.speculativeRetry = speculativeRetry;
            return this;
        }

        public SpeculativeRetry speculativeRetry() {
            return speculativeRetry;
        }

        public FailureDetectionConfig failureDetection() {
            return failureDetection;
        }

        public HandoffConfig handoff() {
            return handoff;
        }

        public RepairConfig repair() {
            return repair;
        }

        public ClusterConfig build() {
            return new ClusterConfig(nodes, replicas, partitions, ringSeed, readConsistency, writeConsistency,
                    replicaTimeoutMillis, maxKeyBytes, maxValueBytes, memoryLimitBytes, readRepairChance,
                    maxClockSkewMillis, failureDetection, handoff, repair, streamBytesPerSecond, speculativeRetry);
        }
    }
}
