package io.dkv.cli;

import io.dkv.cli.ChildProcesses.Result;
import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three node processes (RF 3) started by {@code dkv cluster up}, which keeps each node's data
 * in RocksDB under DIR/nK/data. After QUORUM writes, all three are killed with SIGKILL at
 * the same moment and started again: every acknowledged write must read back. Then the
 * cluster is stopped cleanly ({@code dkv cluster down}) and started again: the same.
 */
class DurableRestartIT {

    private static final int NODES = 3;
    private static final int KEYS = 2_000;
    private static final int BATCH = 100;

    private static ProcessCluster cluster;

    @BeforeAll
    static void clusterUp() {
        cluster = ProcessCluster.up("durable-restart-it", NODES);
    }

    @AfterAll
    static void clusterDown() {
        if (cluster != null) {
            cluster.down();
        }
    }

    @Test
    void acknowledgedWritesSurviveKillingEveryNodeAndAFullStop() throws IOException {
        Map<String, String> acknowledged = write();
        assertThat(acknowledged).hasSize(KEYS);

        Result secondProcess = serverOn(1, nodeDir(1).resolve("data"));
        assertThat(secondProcess.exitCode()).as(secondProcess.describe()).isNotZero();
        assertThat(secondProcess.stderr()).as(secondProcess.describe()).contains("is in use by another process (pid ");

        List<ProcessHandle> nodes = new ArrayList<>();
        for (int node = 1; node <= NODES; node++) {
            long pid = Long.parseLong(Files.readString(nodeDir(node).resolve("pid")).trim());
            nodes.add(ProcessHandle.of(pid).orElseThrow());
        }
        nodes.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle node : nodes) {
            node.onExit().join();
        }
        startAll();
        for (int node = 1; node <= NODES; node++) {
            assertThat(lastStorageLine(node)).contains("existing directory, previous shutdown not clean");
        }
        assertEveryKeyReadsBack(acknowledged, "after all three were killed and started");

        cluster.cluster("down");
        Result otherNode = serverOn(2, nodeDir(1).resolve("data"));
        assertThat(otherNode.exitCode()).as(otherNode.describe()).isNotZero();
        assertThat(otherNode.stderr()).as(otherNode.describe()).contains("belongs to node n1, not n2");
        startAll();
        for (int node = 1; node <= NODES; node++) {
            assertThat(lastStorageLine(node)).contains("existing directory, previous shutdown clean");
            assertThat(nodeDir(node).resolve("data").resolve("dkv-node.properties")).content().contains("node=n" + node);
        }
        assertEveryKeyReadsBack(acknowledged, "after dkv cluster down and start");
    }

    /** {@code dkv server} as node {@code node} of this cluster's shape on other ports, with the given data directory. */
    private static Result serverOn(int node, Path dataDir) {
        return cluster.dkv("server", "--node", "n" + node, "--nodes", String.valueOf(NODES), "--replicas", "3",
                "--base-port", String.valueOf(Ports.freeBasePort(NODES)), "--data-dir", dataDir.toString());
    }

    /** The line a node logs when it opens its data directory, from its latest start. */
    private static String lastStorageLine(int node) throws IOException {
        String found = "(none in n" + node + "'s log)";
        for (String line : Files.readAllLines(nodeDir(node).resolve("node.log"), StandardCharsets.UTF_8)) {
            if (line.contains("previous shutdown")) {
                found = line;
            }
        }
        return found;
    }

    private static Path nodeDir(int node) {
        return cluster.dir().resolve("n" + node);
    }

    /** Starts every node at once, as after a power cut, and waits until each answers. */
    private static void startAll() {
        List<CompletableFuture<?>> starts = new ArrayList<>();
        for (int node = 1; node <= NODES; node++) {
            String id = "n" + node;
            starts.add(CompletableFuture.runAsync(() -> cluster.cluster("start", id)));
        }
        starts.forEach(CompletableFuture::join);
    }

    /** Writes the keys at QUORUM through every node in turn, pipelined; returns what was acknowledged. */
    private static Map<String, String> write() {
        Map<String, String> acknowledged = new LinkedHashMap<>();
        Jedis[] clients = connect();
        try {
            for (int start = 0; start < KEYS; start += BATCH) {
                List<Pipeline> pipelines = new ArrayList<>();
                List<Map.Entry<String, Response<String>>> replies = new ArrayList<>();
                Map<String, String> sent = new LinkedHashMap<>();
                for (Jedis client : clients) {
                    pipelines.add(client.pipelined());
                }
                for (int i = start; i < Math.min(KEYS, start + BATCH); i++) {
                    String key = "durable-" + i;
                    String value = "value-" + i + "-" + "x".repeat(i % 50);
                    sent.put(key, value);
                    replies.add(Map.entry(key, pipelines.get(i % NODES).set(key, value)));
                }
                pipelines.forEach(Pipeline::sync);
                for (Map.Entry<String, Response<String>> reply : replies) {
                    if ("OK".equals(replyOf(reply.getValue()))) {
                        acknowledged.put(reply.getKey(), sent.get(reply.getKey()));
                    }
                }
            }
        } finally {
            close(clients);
        }
        return acknowledged;
    }

    private static void assertEveryKeyReadsBack(Map<String, String> acknowledged, String when) {
        // Right after a start the nodes may still be connecting to each other: wait for one read to succeed.
        Map.Entry<String, String> first = acknowledged.entrySet().iterator().next();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> {
                    try (Jedis jedis = new Jedis("127.0.0.1", cluster.respPort(1), 5_000)) {
                        return first.getValue().equals(jedis.get(first.getKey()));
                    }
                });
        Jedis[] clients = connect();
        try {
            List<String> keys = new ArrayList<>(acknowledged.keySet());
            List<String> wrong = new ArrayList<>();
            for (int start = 0; start < keys.size(); start += BATCH) {
                List<Pipeline> pipelines = new ArrayList<>();
                for (Jedis client : clients) {
                    pipelines.add(client.pipelined());
                }
                List<Response<String>> replies = new ArrayList<>();
                for (int i = start; i < Math.min(keys.size(), start + BATCH); i++) {
                    replies.add(pipelines.get(i % NODES).get(keys.get(i)));
                }
                pipelines.forEach(Pipeline::sync);
                for (int i = 0; i < replies.size(); i++) {
                    String key = keys.get(start + i);
                    String got = replyOf(replies.get(i));
                    if (!acknowledged.get(key).equals(got)) {
                        wrong.add(key + "=" + got);
                    }
                }
            }
            assertThat(wrong).as("keys not read back %s", when).isEmpty();
        } finally {
            close(clients);
        }
    }

    /** The reply, or the error text when the node answered with an error. */
    private static String replyOf(Response<String> response) {
        try {
            return response.get();
        } catch (JedisDataException e) {
            return "error: " + e.getMessage();
        }
    }

    private static Jedis[] connect() {
        Jedis[] clients = new Jedis[NODES];
        for (int node = 1; node <= NODES; node++) {
            clients[node - 1] = new Jedis("127.0.0.1", cluster.respPort(node), 30_000);
            clients[node - 1].sendCommand(() -> "DKV.CONSISTENCY".getBytes(StandardCharsets.UTF_8), "QUORUM");
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
}
