package io.dkv.server;

import io.dkv.testkit.cluster.ClusterBehaviourContract;
import io.dkv.testkit.cluster.TestCluster;

/** The shared cluster behaviour, on real sockets through the Netty transport. */
class NettyClusterBehaviourTest extends ClusterBehaviourContract {

    /** 256 partitions, as in the simulator's run: a restarted node compares every partition before it answers. */
    @Override
    protected TestCluster start(int nodes, int replicas, boolean sloppy) {
        return new NettyTestCluster(nodes, replicas, settings -> settings.set("replica-timeout-ms", "1000")
                .set("hinted-handoff", String.valueOf(sloppy)).set("partitions", "256"));
    }
}
