package io.dkv.testkit.membership;

import io.dkv.core.NodeId;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

class DetectionExperiment {

    @Test
    void experiment() {
        int nodes = Integer.getInteger("n", 1000);
        int fanout = Integer.getInteger("fanout", 3);
        long pause = Long.getLong("pause", 500);
        for (long seed = 1; seed <= Integer.getInteger("seeds", 3); seed++) {
            long started = System.nanoTime();
            SimCluster cluster = SimCluster.builder().nodes(nodes).replicas(3).seed(seed)
                    .config(c -> c.failureDetection(c.failureDetection().withGossipFanout(fanout).withAcceptablePauseMillis(pause))
                            .repair(c.repair().withAntiEntropyEnabled(false)).handoff(c.handoff().withEnabled(false)))
                    .network(n -> n.latency(1, 10)).start();
            int falseDowns = 0;
            for (int s = 0; s < 40; s++) {
                cluster.runFor(Duration.ofMillis(500));
                if (s >= 12) {
                    falseDowns += countDown(cluster, null);
                }
            }
            NodeId victim = NodeId.of(1 + (int) (seed * 7919 % nodes));
            cluster.crash(victim);
            long crashAt = cluster.simulation().now();
            boolean all = cluster.runUntil(() -> cluster.upNodes().stream().noneMatch(n -> cluster.node(n).isUp(victim)), Duration.ofSeconds(60));
            long detect = cluster.simulation().now() - crashAt;
            System.out.printf("n=%d fanout=%d pause=%d seed=%d falseDownSamples=%d detectAll=%s %d ms  sent/node/s=%.1f  (%.1f s)%n",
                    nodes, fanout, pause, seed, falseDowns, all, detect,
                    cluster.network().messagesSent() / (double) nodes / (cluster.simulation().now() / 1000.0),
                    (System.nanoTime() - started) / 1e9);
        }
    }

    private static int countDown(SimCluster cluster, NodeId except) {
        int down = 0;
        List<NodeId> up = cluster.upNodes();
        for (NodeId observer : up) {
            for (NodeId peer : up) {
                if (!cluster.node(observer).isUp(peer)) {
                    down++;
                }
            }
        }
        return down;
    }
}
