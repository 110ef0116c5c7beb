package io.dkv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dkv.cli.ChildProcesses.Result;
import io.dkv.cli.client.RespClient;
import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code java -jar dkv.jar bench} as a child process against a 1-node {@code dkv local}, and
 * against a real redis-server to show that {@code --consistency} is dkv-only and opt-in.
 */
class BenchIT {

    private static Path workDir;
    private static Path localLog;
    private static Process local;
    private static int port;

    @BeforeAll
    static void startDkvLocal() {
        workDir = ChildProcesses.workDir("bench-it");
        localLog = workDir.resolve("dkv-local.log");
        port = Ports.freeBasePort(1);
        local = ChildProcesses.start(ChildProcesses.dkvCommand(List.of("-Xmx256m"),
                "local", "--nodes", "1", "--replicas", "1", "--base-port", String.valueOf(port)), localLog);
        awaitPing(port, local, localLog);
    }

    @AfterAll
    static void stopDkvLocal() {
        ChildProcesses.stop(local);
    }

    @Test
    void countedRunAgainstDkvLocal() throws IOException {
        Path json = workDir.resolve("counted.json");

        Result run = ChildProcesses.dkv(workDir, "bench", "-p", String.valueOf(port), "--requests", "2000",
                "--clients", "4", "--keys", "50", "--value-size", "100", "--ratio", "1:1", "--consistency", "QUORUM",
                "--json", json.toString());

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.stdout()).as(run.describe()).contains("requests     2000").contains("errors       0");
        JsonNode summary = new ObjectMapper().readTree(json.toFile());
        assertThat(summary.get("requests").asLong()).isEqualTo(2000);
        assertThat(summary.get("errors").asLong()).isZero();
        assertThat(summary.get("droppedConnections").asLong()).isZero();
        assertThat(summary.get("consistency").asText()).isEqualTo("QUORUM");
        JsonNode latency = summary.get("latencyMs");
        long gets = latency.get("get").get("requests").asLong();
        long sets = latency.get("set").get("requests").asLong();
        assertThat(gets + sets).isEqualTo(2000);
        assertThat(gets).as("1:1 mix over 2000 requests").isBetween(850L, 1150L);
        for (String kind : List.of("get", "set", "all")) {
            assertSensiblePercentiles(kind, latency.get(kind));
        }
        assertThat(summary.get("opsPerSecond").asDouble()).isPositive();

        try (RespClient client = new RespClient("127.0.0.1", port, 10_000)) {
            int stored = 0;
            for (int key = 0; key < 50; key++) {
                Object value = client.call("GET", "key:" + key);
                if (value != null) {
                    assertThat((byte[]) value).as("key:%d", key).hasSize(100);
                    stored++;
                }
            }
            assertThat(stored).as("about 1000 SETs over 50 keys reach nearly every key").isGreaterThan(40);
            assertThat(client.call("GET", "key:50")).as("outside the key space").isNull();
        }
    }

    @Test
    void timedPipelinedRunPrintsLiveLines() throws IOException {
        Path json = workDir.resolve("timed.json");

        Result run = ChildProcesses.dkv(workDir, "bench", "-p", String.valueOf(port), "--duration", "2.5",
                "--clients", "8", "--pipeline", "4", "--ratio", "9:1", "--json", json.toString());

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.stderr()).as(run.describe()).containsPattern("1\\.0 s +\\d+ ops/s +p50 +[0-9.]+ ms +p99 +[0-9.]+ ms +errors 0");
        JsonNode summary = new ObjectMapper().readTree(json.toFile());
        assertThat(summary.get("errors").asLong()).isZero();
        assertThat(summary.get("requests").asLong()).isPositive();
        assertThat(summary.get("seconds").asDouble()).isBetween(2.5, 20.0);
        assertThat(summary.get("pipeline").asInt()).isEqualTo(4);
        assertSensiblePercentiles("all", summary.get("latencyMs").get("all"));
    }

    @Test
    void againstRedisServerConsistencyIsRefusedClearlyAndWithoutItTheRunWorks() {
        int redisPort = Ports.freeBasePort(1);
        Path redisLog = workDir.resolve("redis-server.log");
        Process redis = ChildProcesses.start(List.of("redis-server", "--port", String.valueOf(redisPort),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"), redisLog);
        try {
            awaitPing(redisPort, redis, redisLog);

            Result refused = ChildProcesses.dkv(workDir, "bench", "-p", String.valueOf(redisPort), "--requests", "100",
                    "--clients", "2", "--consistency", "ONE");
            assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(2);
            assertThat(refused.stderr()).as(refused.describe())
                    .contains("error: 127.0.0.1:" + redisPort + " refused DKV.CONSISTENCY ONE: ERR unknown command")
                    .contains("--consistency works only against dkv");
            assertThat(refused.stdout()).isEmpty();

            Result plain = ChildProcesses.dkv(workDir, "bench", "-p", String.valueOf(redisPort), "--requests", "1000",
                    "--clients", "4");
            assertThat(plain.exitCode()).as(plain.describe()).isZero();
            assertThat(plain.stdout()).contains("requests     1000").contains("errors       0");
        } finally {
            ChildProcesses.stop(redis);
        }
    }

    private static void assertSensiblePercentiles(String kind, JsonNode latency) {
        double p50 = latency.get("p50").asDouble();
        double p90 = latency.get("p90").asDouble();
        double p99 = latency.get("p99").asDouble();
        double p999 = latency.get("p999").asDouble();
        double max = latency.get("max").asDouble();
        assertThat(p50).as("%s p50 ms", kind).isPositive();
        assertThat(List.of(p50, p90, p99, p999, max)).as("%s percentiles in order", kind).isSorted();
        assertThat(max).as("%s max ms on loopback", kind).isLessThan(10_000);
        assertThat(latency.get("mean").asDouble()).as("%s mean ms", kind).isBetween(p50 / 10, max);
    }

    private static void awaitPing(int port, Process server, Path log) {
        try {
            Awaitility.await("PING answered on port " + port)
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .failFast("the server exited", () -> !server.isAlive())
                    .ignoreExceptions()
                    .until(() -> {
                        try (RespClient client = new RespClient("127.0.0.1", port, 2_000)) {
                            return "PONG".equals(client.call("PING"));
                        }
                    });
        } catch (RuntimeException | Error e) {
            throw new AssertionError(e.getMessage() + "\nlast lines of " + log + ":\n" + ChildProcesses.tail(log, 40), e);
        }
    }
}
