package io.dkv.server;

import io.dkv.cluster.repair.MerkleTrackingStorage;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real-time counterpart of the simulator's AntiEntropyAtScaleTest: three in-JVM nodes
 * over Netty with the default 4096 partitions, each replicating all of them. One pass of
 * anti-entropy over every partition with both peers, when nothing differs, takes about a
 * second (the roots of 1,365 partitions per message), not the ~51 s of 16 roots per round;
 * the leaves of an idle node's trees take no memory.
 */
class AntiEntropyPassTimeTest {

    private static final int PARTITIONS = Ring.DEFAULT_PARTITIONS;

    private LocalCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aPassOverFourThousandPartitionsWithNothingDifferingTakesSeconds() {
        int basePort = Ports.freeBasePort(3);
        cluster = LocalCluster.start(3, 3, basePort, settings -> settings
                .set("partitions", Integer.toString(PARTITIONS))
                .set("http-port", "0"));
        List<NodeId> nodes = List.of(NodeId.of(1), NodeId.of(2), NodeId.of(3));
        int partitions = cluster.server(nodes.get(0)).node().status().ring().partitionCount();
        for (NodeId node : nodes) {
            assertThat(trees(node).allocatedLeaves()).as("leaves of an idle node").isZero();
        }
        try (Jedis client = new Jedis("127.0.0.1", basePort, 10_000)) {
            assertThat(client.info("dkv")).contains("merkle_tree_bytes:0\r\n");
            for (int i = 0; i < 1_000; i++) {
                assertThat(client.set("key" + i, "value" + i)).isEqualTo("OK");
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> nodes.stream().allMatch(node -> trees(node).allocatedLeaves() > 0));
        long[] before = new long[nodes.size()];
        for (int i = 0; i < before.length; i++) {
            before[i] = cluster.server(nodes.get(i)).node().metrics().antiEntropyComparisons.sum();
        }
        long start = System.nanoTime();

        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> {
            for (int i = 0; i < before.length; i++) {
                long now = cluster.server(nodes.get(i)).node().metrics().antiEntropyComparisons.sum();
                if (now - before[i] < 2L * partitions) {
                    return false;
                }
            }
            return true;
        });
        long passMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("LocalCluster, 3 nodes, %d partitions: anti-entropy pass with nothing differing %d ms;"
                + " leaves per node after 1,000 keys: %d (%d B)%n", partitions, passMillis,
                trees(nodes.get(0)).allocatedLeaves(), trees(nodes.get(0)).allocatedLeaves() * Long.BYTES);

        assertThat(passMillis).isLessThan(10_000);
    }

    private io.dkv.cluster.repair.MerkleTrees trees(NodeId node) {
        return ((MerkleTrackingStorage) cluster.server(node).node().storage()).trees();
    }
}
