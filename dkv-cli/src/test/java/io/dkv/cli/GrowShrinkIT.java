package io.dkv.cli;

import io.dkv.cli.ChildProcesses.Result;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The walk with real processes: {@code dkv cluster up --nodes 3 --replicas 3}, a
 * QUORUM load through n3, {@code dkv cluster add --count 2} (n4 and n5 join), {@code dkv
 * cluster remove n2} (decommissioned and stopped), n5 is killed and {@code dkv cluster add
 * --replace n5} starts n6 in its place, then n1 is killed and {@code dkv removenode n1}:
 * three nodes remain. Nothing acknowledged is lost, every key's replicas are the three
 * remaining nodes, and no write failed.
 */
class GrowShrinkIT {

    private static ProcessCluster cluster;

    @BeforeAll
    static void clusterUp() {
        cluster = ProcessCluster.up("grow-shrink-it", 3);
    }

    @AfterAll
    static void clusterDown() {
        if (cluster != null) {
            cluster.down();
        }
    }

    @Test
    void threeNodesGrowToFiveHaveOneReplacedAndShrinkToThreeUnderLoad() throws Exception {
        QuorumWriter writer = new QuorumWriter(cluster, 3, 3);
        Thread thread = new Thread(writer, "writer");
        thread.start();
        try {
            writer.awaitMoreWrites(300);
            Result added = cluster.cluster("add", "--count", "2");
            assertThat(added.stdout()).as(added.describe()).contains("n4 joined").contains("n5 joined");
            writer.awaitMoreWrites(300);

            Result removed = cluster.cluster("remove", "n2");
            assertThat(removed.stdout()).as(removed.describe()).contains("n2 left").contains("stopped n2");
            writer.awaitMoreWrites(300);

            cluster.cluster("kill", "n5");
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> QuorumWriter.stateOf(cluster, 3, "n5").equals("down"));
            Result replaced = cluster.cluster("add", "--replace", "n5");
            assertThat(replaced.stdout()).as(replaced.describe()).contains("n6 replaced n5");
            writer.awaitMoreWrites(300);

            cluster.cluster("kill", "n1");
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> QuorumWriter.stateOf(cluster, 3, "n1").equals("down"));
            Result removal = cluster.dkv("removenode", "n1", "-p", String.valueOf(cluster.respPort(3)));
            assertThat(removal.exitCode()).as(removal.describe()).isZero();
            writer.awaitMoreWrites(300);
        } finally {
            writer.stop();
            thread.join(60_000);
        }
        assertThat(writer.failures).as("QUORUM writes that failed").isEmpty();

        long written = writer.assertAllReadBackOn(4, "n3", "n4", "n6");
        System.out.printf("%d QUORUM writes while 3 nodes grew to 5, one was replaced and they shrank to 3; all read"
                + " back%n", written);
    }
}
