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
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP port of a 3-node TCP cluster: metrics that promtool accepts, health, the dashboard's JSON. */
class HttpEndpointsTest {

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
        HttpResponse<String> metrics = get(1, "/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(metrics.body())
                .contains("dkv_requests_total{command=\"set\",consistency=\"QUORUM\",node=\"n1\",outcome=\"ok\"} 1.0")
                .contains("dkv_request_duration_seconds_bucket{command=\"get\"")
                .contains("dkv_peer_phi{node=\"n1\",peer=\"n3\"}")
                .contains("dkv_peer_up{node=\"n1\",peer=\"n2\"} 1.0")
                .contains("dkv_stored_keys{node=\"n1\"} 1.0")
                .contains("dkv_hints_pending{node=\"n1\"}")
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

        JsonNode view = new ObjectMapper().readTree(get(2, "/api/cluster").body());
        assertThat(view.get("node").asText()).isEqualTo("n2");
        assertThat(view.get("nodes").asInt()).isEqualTo(3);
        assertThat(view.get("peers")).hasSize(3);
        JsonNode self = view.get("peers").get(1);
        assertThat(self.get("node").asText()).isEqualTo("n2");
        assertThat(self.get("self").asBoolean()).isTrue();
        assertThat(self.get("state").asText()).isEqualTo("up");
        for (String field : new String[]{"phi", "heartbeatAgeMs", "opsPerSecond", "p99Ms", "keys", "hints", "hintsHere"}) {
            assertThat(self.has(field)).as(field).isTrue();
        }
        assertThat(get(2, "/nope").statusCode()).isEqualTo(404);
    }
}
