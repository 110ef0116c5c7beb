package io.dkv.server;

import io.dkv.cluster.repair.MerkleTrackingStorage;
import io.dkv.cluster.repair.MerkleTrees;
import io.dkv.core.NodeId;
import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A durable node restarted on its data serves at once, builds its Merkle trees in the
 * background, and ends with the same trees as a replica that kept them on every write.
 */
class MerkleRestartTest {

    private static final NodeId N1 = NodeId.of(1);
    private static final NodeId N2 = NodeId.of(2);

    @TempDir
    Path dir;

    private LocalCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aRestartedNodeBuildsTheSameTreesAsAReplicaThatKeptThemOnEveryWrite() {
        int basePort = Ports.freeBasePort(3);
        cluster = LocalCluster.start(3, 3, basePort, settings -> settings
                .defaultDataDir(node -> dir.resolve(node.toString()))
                .set("partitions", "256") // a first start compares every partition: keep it short
                .set("http-port", "0"));
        try (Jedis n1 = new Jedis("127.0.0.1", basePort, 10_000)) {
            for (int i = 0; i < 2_000; i++) {
                assertThat(n1.set("key" + i, "value" + i)).isEqualTo("OK");
            }
            for (int i = 0; i < 100; i++) {
                assertThat(n1.del("key" + i)).isEqualTo(1);
            }
        }
        int partitions = cluster.server(N1).node().status().ring().partitionCount();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.server(N2).node().status().storedKeys() == 1_900
                        && cluster.server(N2).node().status().storedTombstones() == 100);

        cluster.stop(N2);
        NodeServer restarted = cluster.restart(N2);

        try (Jedis n2 = new Jedis("127.0.0.1", basePort + 1, 10_000)) {
            assertThat(n2.get("key1999")).isEqualTo("value1999");
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !n2.info("dkv").contains("merkle_trees_build_ms:-1"));
            assertThat(n2.info("dkv")).contains("merkle_trees_built:" + partitions + "\r\n");
        }
        MerkleTrees kept = ((MerkleTrackingStorage) cluster.server(N1).node().storage()).trees();
        MerkleTrees built = ((MerkleTrackingStorage) restarted.node().storage()).trees();
        for (int partition = 0; partition < partitions; partition++) {
            assertThat(built.isBuilt(partition)).isTrue();
            assertThat(built.root(partition)).as("root of partition %d", partition).isEqualTo(kept.root(partition));
        }
    }
}
