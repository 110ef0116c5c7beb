package io.dkv.server;

import io.dkv.server.acl.RawRedis;
import io.dkv.server.acl.RedisServerProcess;
import io.dkv.testkit.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

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
    private static RedisServerProcess redis;
    private static int redisPort;

    @BeforeAll
    static void start() throws IOException {
        dkvPort = Ports.freeBasePort(1);
        dkv = LocalCluster.start(1, 1, dkvPort, builder -> builder.set("http-port", "0"));
        redis = RedisServerProcess.start("redis-differential-flush");
        redisPort = redis.port();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (redis != null) {
            redis.close();
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
