package io.dkv.testkit.cluster;

import io.dkv.testkit.sim.SimCluster;

/** The shared cluster behaviour, on the simulator. */
class SimClusterBehaviourTest extends ClusterBehaviourContract {

    /** 256 partitions, as in the Netty run: a restarted node compares every partition before it answers. */
    @Override
    protected TestCluster start(int nodes, int replicas, boolean sloppy) {
        return new SimTestCluster(SimCluster.builder().nodes(nodes).replicas(replicas).seed(42)
                .config(c -> c.replicaTimeoutMillis(500).handoff(c.handoff().withEnabled(sloppy)).partitions(256))
                .network(n -> n.latency(1, 15)).start());
    }
}
