package io.dkv.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dkv.core.NodeId;
import io.dkv.server.LocalCluster;
import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP port of a 3-node TCP cluster: metrics that promtool accepts, health, the dashboard's JSON. */
class HttpEndpointsTest {

    private static final int WRITES = 25;
    private static final String SETS_OK_ON_N1 =
            "dkv_requests_total{command=\"set\",consistency=\"QUORUM\",node=\"n1\",outcome=\"ok\"}";

    private final HttpClient http = HttpClient.newHttpClient();
    private LocalCluster cluster;
    private int basePort;

    @BeforeEach
    void start() {
        basePort = Ports.freeBasePort(3);
        cluster = LocalCluster.start(3, 3, basePort);
        try (Jedis jedis = new Jedis("127.0.0.1", basePort, 10_000)) {
            jedis.set("k", "v");
            jedis.get("k");
            jedis.get("missing");
        }
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private HttpResponse<String> get(int node, String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + (basePort + 2000 + node - 1) + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAreValidPrometheusTextWithTheNodesFigures() throws Exception {
        writeThroughN1(WRITES);
        long keysOnN1 = cluster.server(NodeId.of(1)).node().storage().keyCount();
        assertThat(keysOnN1).as("k and the %d keys written, all on n1 (RF 3 of 3 nodes)", WRITES).isEqualTo(WRITES + 1);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(samples(get(1, "/metrics").body()).get(SETS_OK_ON_N1)).isEqualTo(WRITES + 1.0);
            assertThat(cluster.server(NodeId.of(1)).node().handoff().store().count()).as("hints n1 keeps").isZero();
        });

        HttpResponse<String> metrics = get(1, "/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        Map<String, Double> samples = samples(metrics.body());
        assertThat(samples.get(SETS_OK_ON_N1)).as("SETs answered OK by n1").isEqualTo(WRITES + 1.0);
        assertThat(sumOf(samples, "dkv_request_duration_seconds_count{command=\"set\"")).as("SETs timed")
                .isEqualTo(WRITES + 1.0);
        assertThat(sumOf(samples, "dkv_requests_total{command=\"get\"")).as("GETs, found or not").isEqualTo(2.0);
        assertThat(samples.get("dkv_stored_keys{node=\"n1\"}")).as("keys n1 stores").isEqualTo((double) keysOnN1);
        assertThat(samples.get("dkv_hints_pending{node=\"n1\"}")).as("hints n1 keeps").isZero();
        assertThat(samples.get("dkv_peer_up{node=\"n1\",peer=\"n2\"}")).isEqualTo(1.0);
        assertThat(samples.get("dkv_peer_up{node=\"n1\",peer=\"n3\"}")).isEqualTo(1.0);
        assertThat(samples.get("dkv_peer_phi{node=\"n1\",peer=\"n3\"}")).isNotNull().isBetween(0.0, 8.0);
        assertThat(metrics.body())
                .contains("dkv_request_duration_seconds_bucket{command=\"get\"")
                .contains("dkv_anti_entropy_keys_repaired_total")
                .contains("dkv_read_repairs_total")
                .contains("dkv_replica_failures_total")
                .contains("jvm_memory_used_bytes");

        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        promtool.getOutputStream().write(metrics.body().getBytes(StandardCharsets.UTF_8));
        promtool.getOutputStream().close();
        String verdict = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(promtool.exitValue()).as("promtool check metrics said: %s", verdict).isZero();
        assertThat(verdict).isBlank();
    }

    @Test
    void healthIs200WhileAQuorumIsUpAnd503Once() throws Exception {
        HttpResponse<String> healthy = get(1, "/health");
        assertThat(healthy.statusCode()).isEqualTo(200);
        JsonNode body = new ObjectMapper().readTree(healthy.body());
        assertThat(body.get("node").asText()).isEqualTo("n1");
        assertThat(body.get("status").asText()).isEqualTo("serving");

        cluster.stop(NodeId.of(3));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(new ObjectMapper().readTree(get(1, "/health").body()).get("peersDown").toString()).contains("n3"));
        assertThat(get(1, "/health").statusCode()).as("2 of 3 replicas are still a quorum").isEqualTo(200);

        cluster.stop(NodeId.of(2));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get(1, "/health").statusCode()).isEqualTo(503));
        assertThat(new ObjectMapper().readTree(get(1, "/health").body()).get("status").asText()).isEqualTo("unavailable");
    }

    @Test
    void theDashboardAndItsDataAreServed() throws Exception {
        HttpResponse<String> page = get(2, "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).containsIgnoringCase("<html").doesNotContain("dashboard missing");

        writeThroughN1(WRITES);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(cluster.server(NodeId.of(2)).node().storage().keyCount()).isEqualTo(WRITES + 1));
        // The figures travel in gossip (about once a second): wait until n2 reports them all.
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode peers = new ObjectMapper().readTree(get(2, "/api/cluster").body()).get("peers");
            for (JsonNode peer : peers) {
                assertThat(peer.get("keys").asLong()).as("keys of %s", peer.get("node")).isEqualTo(WRITES + 1);
                assertThat(peer.get("hints").asLong()).as("hints kept by %s", peer.get("node")).isZero();
            }
        });

        JsonNode view = new ObjectMapper().readTree(get(2, "/api/cluster").body());
        assertThat(view.get("node").asText()).isEqualTo("n2");
        assertThat(view.get("nodes").asInt()).isEqualTo(3);
        assertThat(view.get("replicas").asInt()).isEqualTo(3);
        assertThat(view.get("partitions").asInt()).isEqualTo(cluster.server(NodeId.of(2)).node().ring().partitionCount());
        assertThat(view.get("peers")).hasSize(3);
        JsonNode self = view.get("peers").get(1);
        assertThat(self.get("node").asText()).isEqualTo("n2");
        assertThat(self.get("self").asBoolean()).isTrue();
        for (JsonNode peer : view.get("peers")) {
            String name = peer.get("node").asText();
            assertThat(peer.get("state").asText()).as(name).isEqualTo("up");
            assertThat(peer.get("keys").asLong()).as(name).isEqualTo(WRITES + 1);
            assertThat(peer.get("hints").asLong()).as(name).isZero();
            assertThat(peer.get("hintsHere").asLong()).as(name).isZero();
            assertThat(peer.get("phi").asDouble()).as(name).isBetween(0.0, 8.0);
            assertThat(peer.get("heartbeatAgeMs").asLong()).as(name).isBetween(0L, 10_000L);
            assertThat(peer.get("opsPerSecond").asInt()).as(name).isNotNegative();
            assertThat(peer.get("p99Ms").asDouble()).as(name).isNotNegative();
        }
        assertThat(get(2, "/nope").statusCode()).isEqualTo(404);
    }

    /** SETs through n1 (RF 3 of 3 nodes: every key on every node). */
    private void writeThroughN1(int writes) {
        try (Jedis jedis = new Jedis("127.0.0.1", basePort, 10_000)) {
            for (int i = 0; i < writes; i++) {
                assertThat(jedis.set("written:" + i, "value" + i)).isEqualTo("OK");
            }
        }
    }

    /** Each sample of a Prometheus text page: series (name and labels as printed) to value. */
    private static Map<String, Double> samples(String page) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : page.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    /** The sum of every series that starts with {@code prefix} (a name, maybe with its first labels). */
    private static double sumOf(Map<String, Double> samples, String prefix) {
        return samples.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToDouble(Map.Entry::getValue).sum();
    }
}
