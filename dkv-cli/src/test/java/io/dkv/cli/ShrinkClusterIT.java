package io.dkv.cli;

import io.dkv.cli.ChildProcesses.Result;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Five real node processes (RF 3) shrink to three under a QUORUM write load: n5 is
 * decommissioned while up ({@code dkv decommission}) and stopped, then n4 is killed with
 * SIGKILL and removed ({@code dkv removenode n4}). Every write acknowledged meanwhile is
 * read back at QUORUM, and every key's replicas are three of the remaining nodes.
 */
class ShrinkClusterIT {

    private static final int NODES = 5;

    private static ProcessCluster cluster;

    @BeforeAll
    static void clusterUp() {
        cluster = ProcessCluster.up("shrink-cluster-it", NODES);
    }

    @AfterAll
    static void clusterDown() {
        if (cluster != null) {
            cluster.down();
        }
    }

    @Test
    void fiveNodesShrinkToThreeUnderLoadAndLoseNothing() throws Exception {
        QuorumWriter writer = new QuorumWriter(cluster, 1, 2);
        Thread thread = new Thread(writer, "writer");
        thread.start();
        try {
            writer.awaitMoreWrites(300);
            Result decommission = dkv("decommission", "-p", String.valueOf(cluster.respPort(5)));
            assertThat(decommission.stdout()).as(decommission.describe()).contains("the change is finished");
            awaitRing(1, "n1", "n2", "n3", "n4");
            cluster.cluster("stop", "n5");
            writer.awaitMoreWrites(300);

            cluster.cluster("kill", "n4");
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> QuorumWriter.stateOf(cluster, 1, "n4").equals("down"));
            Result removal = dkv("removenode", "n4", "-p", String.valueOf(cluster.respPort(1)));
            assertThat(removal.stdout()).as(removal.describe()).contains("the change is finished");
            awaitRing(2, "n1", "n2", "n3");
            writer.awaitMoreWrites(300);
        } finally {
            writer.stop();
            thread.join(60_000);
        }
        assertThat(writer.failures).as("QUORUM writes that failed").isEmpty();

        long written = writer.assertAllReadBackOn(3, "n1", "n2", "n3");
        System.out.printf("%d QUORUM writes while n5 was decommissioned and n4 killed and removed; all read back%n",
                written);
    }

    /**
     * Waits until {@code node} routes by a ring of exactly {@code expected}. The command that
     * changed the ring reports "finished" once the coordinating node committed it; the others
     * learn the committed ring asynchronously, a moment later.
     */
    private static void awaitRing(int node, String... expected) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(ringNodes(node)).containsExactlyInAnyOrder(expected));
    }

    /** The nodes of the ring {@code node} routes by, from DKV.RING. */
    private static List<String> ringNodes(int node) {
        try (Jedis jedis = new Jedis("127.0.0.1", cluster.respPort(node), 5_000)) {
            List<?> fields = (List<?>) jedis.sendCommand(() -> "DKV.RING".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if (new String((byte[]) fields.get(i), StandardCharsets.UTF_8).equals("nodes")) {
                    return ((List<?>) fields.get(i + 1)).stream()
                            .map(row -> new String((byte[]) ((List<?>) row).get(0), StandardCharsets.UTF_8)).toList();
                }
            }
            throw new AssertionError("DKV.RING has no nodes field");
        }
    }

    private static Result dkv(String... args) {
        Result result = cluster.dkv(args);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
    }
}
