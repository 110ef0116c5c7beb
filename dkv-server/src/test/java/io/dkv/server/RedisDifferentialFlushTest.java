package io.dkv.server;

import io.dkv.server.acl.RawRedis;
import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** FLUSHALL and FLUSHDB with every shape of argument, sent to a real redis-server and to dkv: the replies match. */
class RedisDifferentialFlushTest {

    private static final List<List<String>> REQUESTS = List.of(
            List.of("FLUSHALL"), List.of("FLUSHALL", "SYNC"), List.of("FLUSHALL", "async"),
            List.of("FLUSHALL", "ASYNC"), List.of("flushall", "sync"), List.of("FLUSHALL", "foo"),
            List.of("FLUSHALL", "SYNC", "ASYNC"), List.of("FLUSHALL", "ASYNC", "ASYNC"), List.of("FLUSHALL", ""),
            List.of("FLUSHDB"), List.of("FLUSHDB", "ASYNC"), List.of("flushdb", "Sync"), List.of("FLUSHDB", "bar"),
            List.of("FLUSHDB", "SYNC", "SYNC"), List.of("FLUSHDB", "a", "b", "c"),
            List.of("SET", "k", "v"), List.of("FLUSHDB"), List.of("GET", "k"));

    private static LocalCluster dkv;
    private static int dkvPort;
    private static Process redis;
    private static int redisPort;

    @BeforeAll
    static void start() throws IOException {
        dkvPort = Ports.freeBasePort(1);
        dkv = LocalCluster.start(1, 1, dkvPort, builder -> builder.set("http-port", "0"));
        redisPort = Ports.freeBasePort(1);
        Path log = Files.createTempFile("redis-differential-flush", ".log");
        redis = new ProcessBuilder("redis-server", "--port", String.valueOf(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Awaitility.await("redis-server answers").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .failFast("redis-server exited", () -> !redis.isAlive())
                .until(() -> {
                    try (RawRedis client = new RawRedis(redisPort)) {
                        return client.call("PING").equals("PONG");
                    }
                });
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (redis != null) {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
        if (dkv != null) {
            dkv.close();
        }
    }

    @Test
    void repliesMatchRedis() {
        try (RawRedis real = new RawRedis(redisPort); RawRedis ours = new RawRedis(dkvPort)) {
            for (List<String> request : REQUESTS) {
                String[] args = request.toArray(String[]::new);
                assertThat(ours.call(args)).as("%s", request).isEqualTo(real.call(args));
            }
        }
    }
}
