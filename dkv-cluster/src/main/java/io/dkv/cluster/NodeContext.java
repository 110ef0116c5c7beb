package io.dkv.cluster;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.cluster.handoff.HintStore;
import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.NodeId;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.StampLease;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Everything a node is handed by the world it runs in. The simulator and the real runtime
 * each build one; the node logic is the same.
 *
 * @param self      this node's id: one of the nodes the cluster started with (n1..n{@code nodes}),
 *                  or a later one (a node that joins takes a number beyond them)
 * @param config    the cluster's shared settings
 * @param storage   this node's local store
 * @param hints     where this node keeps hints for replicas that missed writes (a durable
 *                  store keeps them across restarts, as the storage does)
 * @param clock     wall and monotonic time
 * @param scheduler runs the node's timed and periodic work
 * @param random    the node's randomness (seeded in the simulator; must be thread-safe in
 *                  the real runtime, e.g. {@code ThreadLocalRandom.current()})
 * @param transport reaches the other nodes
 * @param recovering whether the node may lack data it held before (it restarted without its
 *                  data, or may have lost its last writes): it then does not count toward
 *                  quorums until it has compared its partitions with the other replicas
 * @param lease     where the node's clock records how far it may have gone, so that it never
 *                  issues a lower version after a restart ({@link StampLease#NONE} when its
 *                  data does not outlive the process either)
 * @param scanScheduler runs long scans of the storage (building Merkle trees after a start),
 *                  so that they do not hold the thread that serves clients; the simulator,
 *                  and any runtime without a thread to spare, passes {@code scheduler}
 */
public record NodeContext(NodeId self, ClusterConfig config, StorageEngine storage, HintStore hints, Clock clock,
                          Scheduler scheduler, RandomGenerator random, Transport transport, boolean recovering,
                          StampLease lease, Scheduler scanScheduler) {

    public NodeContext {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(hints, "hints");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(scanScheduler, "scanScheduler");
    }

    /** A node that starts with all the data it ever acknowledged (a new cluster, or a durable restart). */
    public NodeContext(NodeId self, ClusterConfig config, StorageEngine storage, HintStore hints, Clock clock,
                       Scheduler scheduler, RandomGenerator random, Transport transport) {
        this(self, config, storage, hints, clock, scheduler, random, transport, false, StampLease.NONE, scheduler);
    }

    /** A node that may or may not lack data, with no durable clock lease. */
    public NodeContext(NodeId self, ClusterConfig config, StorageEngine storage, HintStore hints, Clock clock,
                       Scheduler scheduler, RandomGenerator random, Transport transport, boolean recovering) {
        this(self, config, storage, hints, clock, scheduler, random, transport, recovering, StampLease.NONE, scheduler);
    }

    /** A node whose scans run on its own scheduler. */
    public NodeContext(NodeId self, ClusterConfig config, StorageEngine storage, HintStore hints, Clock clock,
                       Scheduler scheduler, RandomGenerator random, Transport transport, boolean recovering,
                       StampLease lease) {
        this(self, config, storage, hints, clock, scheduler, random, transport, recovering, lease, scheduler);
    }
}
