package io.dkv.server;

import io.dkv.testkit.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * redis-py, the most used Redis client, running the everyday calls of a cache and a session
 * store (set with ex, ttl, expire, persist, scan_iter, delete, flushdb, ...) against a
 * 3-node cluster in this JVM: {@code redis-py-patterns.py} in the test resources. The
 * interpreter is {@code DKV_TEST_PYTHON} (./test makes a virtualenv with redis-py) or
 * {@code python3}; it must import redis, or the test fails saying so.
 */
class RedisPyPatternsTest {

    private static LocalCluster cluster;
    private static int basePort;

    @BeforeAll
    static void start() {
        basePort = Ports.freeBasePort(3);
        // 256 partitions: scan_iter, KEYS and DBSIZE each walk every partition.
        cluster = LocalCluster.start(3, 3, basePort, builder -> builder.set("partitions", "256"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void aCacheAndASessionStoreWorkUnchanged() throws IOException, InterruptedException, URISyntaxException {
        String python = System.getenv().getOrDefault("DKV_TEST_PYTHON", "python3");
        Path script = Path.of(RedisPyPatternsTest.class.getResource("/redis-py-patterns.py").toURI());
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        for (int i = 0; i < 3; i++) {
            command.add(String.valueOf(basePort + i));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("redis-py script finished within 120 s").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(output).as("%s needs redis-py (./test installs it): %s", python, output)
                .doesNotContain("No module named 'redis'");
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("ok \\d+ checks");
    }
}
