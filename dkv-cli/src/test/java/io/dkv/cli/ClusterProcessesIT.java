package io.dkv.cli;

import io.dkv.cli.ChildProcesses.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Five real node processes started by {@code dkv cluster up} (RF 3): one is killed with
 * SIGKILL and later started again (on its data directory, missing the writes made while it
 * was down), while a client writes and reads at QUORUM. No acknowledged write may be lost:
 * one replica of three missing, or behind, leaves a quorum that has every key.
 */
class ClusterProcessesIT {

    private static final int NODES = 5;
    private static final int KEYS_PER_BATCH = 1_000;
    private static final String VICTIM = "n2";

    private static ProcessCluster cluster;

    @BeforeAll
    static void clusterUp() {
        cluster = ProcessCluster.up("cluster-processes-it", NODES);
    }

    @AfterAll
    static void clusterDown() {
        if (cluster != null) {
            cluster.down();
        }
    }

    @Test
    void nodesProveAClusterSecretThatOnlyTheFolderOwnerCanRead() throws Exception {
        Path secretFile = cluster.dir().resolve("cluster-secret.yaml");

        assertThat(Files.getPosixFilePermissions(secretFile)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        String secret = Files.readAllLines(secretFile).stream().filter(line -> line.startsWith("cluster-secret: "))
                .findFirst().orElseThrow().substring("cluster-secret: ".length());
        assertThat(secret).hasSize(64);
        try (Jedis client = new Jedis("127.0.0.1", cluster.respPort(1), 30_000)) {
            assertThat(client.info("dkv")).contains("peer_auth:cluster-secret");
        }
        assertThat(ProcessHandle.allProcesses().map(process -> process.info().commandLine().orElse("")))
                .as("the secret is not on any command line").noneMatch(line -> line.contains(secret));
    }

    @Test
    void aKilledAndRestartedNodeLosesNoAcknowledgedWrite() {
        Map<String, String> acknowledged = new HashMap<>();
        writeBatch(0, List.of(1, 2, 3, 4, 5), acknowledged);

        Result kill = cluster.dkv("cluster", "kill", "--dir", cluster.dir().toString(), VICTIM);
        assertThat(kill.exitCode()).as(kill.describe()).isZero();
        assertThat(kill.stdout()).startsWith("killed " + VICTIM + " (pid ");
        Map<String, String[]> status = status();
        assertThat(status.get(VICTIM)[2]).as("%s alive after SIGKILL", VICTIM).isEqualTo("no");
        for (String node : List.of("n1", "n3", "n4", "n5")) {
            assertThat(status.get(node)[2] + " " + status.get(node)[3]).as("%s alive and answering", node).isEqualTo("yes yes");
        }

        List<Integer> survivors = List.of(1, 3, 4, 5);
        assertEveryKeyReadsBack(acknowledged, survivors, "after " + VICTIM + " was killed");
        writeBatch(1, survivors, acknowledged);

        Result start = cluster.dkv("cluster", "start", "--dir", cluster.dir().toString(), VICTIM);
        assertThat(start.exitCode()).as(start.describe()).isZero();
        assertThat(status().get(VICTIM)[2] + " " + status().get(VICTIM)[3]).as("%s after restart", VICTIM).isEqualTo("yes yes");

        assertThat(acknowledged).hasSize(2 * KEYS_PER_BATCH);
        for (int node = 1; node <= NODES; node++) {
            assertEveryKeyReadsBack(acknowledged, List.of(node), "after " + VICTIM + " restarted");
        }
    }

    /** Writes one batch of keys at QUORUM, spread over the given nodes; remembers what was acknowledged. */
    private static void writeBatch(int batch, List<Integer> nodes, Map<String, String> acknowledged) {
        Jedis[] clients = connect(nodes);
        try {
            for (int i = 0; i < KEYS_PER_BATCH; i++) {
                String key = "batch" + batch + "-key" + i;
                String value = "value-" + batch + "-" + i;
                int pick = i % nodes.size();
                assertThat(clients[pick].set(key, value)).as("SET %s through n%d", key, nodes.get(pick)).isEqualTo("OK");
                acknowledged.put(key, value);
            }
        } finally {
            close(clients);
        }
    }

    private static void assertEveryKeyReadsBack(Map<String, String> acknowledged, List<Integer> nodes, String when) {
        Jedis[] clients = connect(nodes);
        try {
            int i = 0;
            for (Map.Entry<String, String> entry : acknowledged.entrySet()) {
                int pick = i++ % nodes.size();
                assertThat(clients[pick].get(entry.getKey()))
                        .as("GET %s through n%d %s", entry.getKey(), nodes.get(pick), when)
                        .isEqualTo(entry.getValue());
            }
        } finally {
            close(clients);
        }
    }

    private static Jedis[] connect(List<Integer> nodes) {
        Jedis[] clients = new Jedis[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            clients[i] = new Jedis("127.0.0.1", cluster.respPort(nodes.get(i)), 30_000);
            Object levels = clients[i].sendCommand(() -> "DKV.CONSISTENCY".getBytes(StandardCharsets.UTF_8), "QUORUM");
            assertThat(levels).asList().hasSize(4);
        }
        return clients;
    }

    private static void close(Jedis[] clients) {
        for (Jedis client : clients) {
            if (client != null) {
                client.close();
            }
        }
    }

    /** {@code dkv cluster status}, by node: the columns node, pid, alive, answering, client port. */
    private static Map<String, String[]> status() {
        Result status = cluster.dkv("cluster", "status", "--dir", cluster.dir().toString());
        assertThat(status.exitCode()).as(status.describe()).isZero();
        Map<String, String[]> rows = new HashMap<>();
        for (String line : status.stdout().split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length == 5 && columns[0].matches("n\\d+")) {
                rows.put(columns[0], columns);
            }
        }
        assertThat(rows).as(status.describe()).hasSize(NODES);
        return rows;
    }
}
