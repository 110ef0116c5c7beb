package io.dkv.server;

import io.dkv.testkit.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real redis-cli's key-space tools against a 3-node dkv cluster in this JVM (RF = 3):
 * {@code --scan}, {@code --scan --pattern}, {@code --bigkeys} and {@code --memkeys} run
 * without error and count the keys DBSIZE counts.
 */
class RedisCliKeyspaceTest {

    private static final int SMALL_KEYS = 300;
    /** Keys of almost 1 MiB (max-key-bytes): a replica's page holds one or two of them. */
    private static final int BIG_KEYS = 2;
    private static final int KEYS = SMALL_KEYS + BIG_KEYS;

    private static LocalCluster cluster;
    private static int basePort;

    @BeforeAll
    static void start() {
        basePort = Ports.freeBasePort(3);
        // 256 partitions instead of 4096: a full scan costs a round trip per partition, and this test makes six.
        cluster = LocalCluster.start(3, 3, basePort, builder -> builder.set("partitions", "256"));
        try (Jedis jedis = new Jedis("127.0.0.1", basePort, 10_000)) {
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < SMALL_KEYS; i++) {
                pipeline.set((i % 3 == 0 ? "user:" : "item:") + i, "v".repeat(1 + i % 50));
            }
            for (int i = 0; i < BIG_KEYS; i++) {
                pipeline.set("big:" + i + ":" + "k".repeat((1 << 20) - 16), "v");
            }
            pipeline.sync();
        }
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void scanBigkeysAndMemkeysAgreeWithDbsize() throws Exception {
        assertThat(redisCli("DBSIZE").trim()).isEqualTo(String.valueOf(KEYS));

        List<String> scanned = redisCli("--scan").lines().toList();
        assertThat(new HashSet<>(scanned)).hasSize(KEYS);
        assertThat(scanned).hasSize(KEYS);
        Set<String> users = new HashSet<>(redisCli("--scan", "--pattern", "user:*").lines().toList());
        assertThat(users).hasSize(SMALL_KEYS / 3).allMatch(key -> key.startsWith("user:"));
        assertThat(scanned.stream().filter(key -> key.startsWith("big:"))).hasSize(BIG_KEYS)
                .allMatch(key -> key.length() == (1 << 20) - 16 + "big:0:".length());

        String bigkeys = redisCli("--bigkeys");
        assertThat(sampled(bigkeys)).as(bigkeys).isEqualTo(KEYS);
        assertThat(bigkeys).contains(KEYS + " strings with").contains("has 50 bytes");

        String memkeys = redisCli("--memkeys");
        assertThat(sampled(memkeys)).as(memkeys).isEqualTo(KEYS);
        assertThat(memkeys).contains(KEYS + " strings with");
    }

    private static int sampled(String report) {
        Matcher matcher = Pattern.compile("Sampled (\\d+) keys in the keyspace").matcher(report);
        assertThat(matcher.find()).as(report).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    /** Runs redis-cli against node 2; fails on a non-zero exit or anything on stderr. */
    private static String redisCli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(basePort + 1)));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stdout = new String(out, StandardCharsets.UTF_8);
        assertThat(new String(err, StandardCharsets.UTF_8)).as("stderr of redis-cli %s", args).isEmpty();
        assertThat(process.exitValue()).as("exit of redis-cli %s: %s", args, stdout).isZero();
        assertThat(stdout).as("redis-cli %s", args).doesNotContain("ERR");
        return stdout;
    }
}
