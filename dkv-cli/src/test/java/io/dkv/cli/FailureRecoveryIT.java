package io.dkv.cli;

import io.dkv.cli.ChildProcesses.Result;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Five real node processes (RF 3). While a client writes at QUORUM, one node is killed with
 * SIGKILL until every other node has marked it down, then started again (it comes back
 * empty and recovering); then another is frozen with SIGSTOP until marked down, and thawed
 * with SIGCONT. One faulty replica at a time is what QUORUM tolerates: writes must keep
 * succeeding throughout, and within 30 s of recovery every replica of a sample of keys
 * must hold the same version. (Two faulty replicas of one key at once fail its writes until
 * the detector has marked both down and stand-ins take over: see QuorumGuaranteeTest.)
 */
class FailureRecoveryIT {

    private static final int NODES = 5;
    private static final int REPLICAS = 3;
    private static final String KILLED = "n3";
    private static final String PAUSED = "n4";

    private static ProcessCluster cluster;

    @BeforeAll
    static void clusterUp() {
        cluster = ProcessCluster.up("failure-recovery-it", NODES);
    }

    @AfterAll
    static void clusterDown() {
        if (cluster != null) {
            cluster.dkv("cluster", "resume", "--dir", cluster.dir().toString(), PAUSED);
            cluster.down();
        }
    }

    @Test
    void quorumWritesKeepSucceedingThroughAKillAndAPauseAndReplicasConvergeAfterwards() throws Exception {
        QuorumWriter writer = new QuorumWriter(cluster, 1, 2);
        Thread thread = new Thread(writer, "writer");
        thread.start();
        try {
            writer.awaitMoreWrites(200);
            long killDetectedMillis = faultUntilMarkedDown("kill", KILLED, writer);
            cluster.cluster("start", KILLED); // waits until it has finished recovering
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> stateOf("n1", KILLED).equals("up"));
            writer.awaitMoreWrites(200);

            long pauseDetectedMillis = faultUntilMarkedDown("pause", PAUSED, writer);
            cluster.cluster("resume", PAUSED);
            long recoveredAt = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> stateOf("n1", PAUSED).equals("up"));
            writer.awaitMoreWrites(200);
            writer.stop();
            thread.join(60_000);

            assertThat(writer.failures).as("QUORUM writes that failed").isEmpty();
            List<String> sample = new ArrayList<>();
            for (long i = 0; i < writer.written.get(); i += Math.max(1, writer.written.get() / 60)) {
                sample.add("key-" + i);
            }
            Duration left = Duration.ofSeconds(30).minusNanos(System.nanoTime() - recoveredAt);
            Awaitility.await().atMost(left.isNegative() ? Duration.ZERO : left).pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(divergent(sample)).as("keys whose replicas differ").isEmpty());
            System.out.printf("%d QUORUM writes, %d failed; the killed node marked down everywhere within %d ms, the"
                            + " paused one within %d ms; %d sampled keys identical on all replicas %d ms after recovery%n",
                    writer.written.get(), writer.failures.size(), killDetectedMillis, pauseDetectedMillis, sample.size(),
                    (System.nanoTime() - recoveredAt) / 1_000_000);
            // The same answer through the command line, for a few keys.
            for (String key : sample.subList(0, 3)) {
                Result replicas = dkv("replicas", key, "-p", String.valueOf(cluster.respPort(1)));
                List<String> lines = List.of(replicas.stdout().trim().split("\n"));
                assertThat(lines).as(replicas.describe()).hasSize(REPLICAS);
                Set<String> nodes = new HashSet<>();
                Set<String> versions = new HashSet<>();
                for (String line : lines) {
                    String[] columns = line.trim().split("\\s+");
                    assertThat(columns[1]).as("%s: %s", key, line).isEqualTo("up");
                    nodes.add(columns[0]);
                    versions.add(columns[2]);
                }
                assertThat(nodes).as(replicas.describe()).hasSize(REPLICAS);
                assertThat(versions).as(replicas.describe()).hasSize(1).doesNotContain("missing", "unreachable");
            }
        } finally {
            writer.stop();
        }
    }

    /**
     * Faults {@code node} (kill or pause) under the write load and waits until every live
     * node has marked it down and more writes went through; returns the detection time.
     */
    private static long faultUntilMarkedDown(String fault, String node, QuorumWriter writer) {
        cluster.cluster(fault, node);
        long faultedAt = System.nanoTime();
        for (String observer : List.of("n1", "n2", "n5")) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> stateOf(observer, node).equals("down"));
        }
        long detectedMillis = (System.nanoTime() - faultedAt) / 1_000_000;
        writer.awaitMoreWrites(300);
        return detectedMillis;
    }

    /** A peer's state as {@code observer} sees it. */
    private static String stateOf(String observer, String peer) throws IOException {
        return QuorumWriter.stateOf(cluster, Integer.parseInt(observer.substring(1)), peer);
    }

    /** Keys among {@code keys} whose replicas do not all hold the same version. */
    private static List<String> divergent(List<String> keys) {
        List<String> divergent = new ArrayList<>();
        try (Jedis jedis = new Jedis("127.0.0.1", cluster.respPort(1), 10_000)) {
            for (String key : keys) {
                Object rows = jedis.sendCommand(() -> "DKV.REPLICAS".getBytes(StandardCharsets.UTF_8), key);
                Set<String> versions = new HashSet<>();
                for (Object row : (List<?>) rows) {
                    versions.add(new String((byte[]) ((List<?>) row).get(2), StandardCharsets.UTF_8));
                }
                if (((List<?>) rows).size() != REPLICAS || versions.size() != 1 || versions.contains("missing")
                        || versions.contains("unreachable")) {
                    divergent.add(key + " " + versions);
                }
            }
        }
        return divergent;
    }

    private static Result dkv(String... args) {
        Result result = cluster.dkv(args);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
    }
}
