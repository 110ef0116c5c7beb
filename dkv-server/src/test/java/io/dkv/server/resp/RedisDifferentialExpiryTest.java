package io.dkv.server.resp;

import io.dkv.server.LocalCluster;
import io.dkv.server.acl.RawRedis;
import io.dkv.server.acl.RedisServerProcess;
import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The expiry commands against a real redis-server started by the test and against a 3-node
 * dkv (3 replicas, in this JVM): each case is a few commands on a key of its own, sent to
 * both, and every reply must match. Replies that count time (TTL, PTTL, EXPIRETIME,
 * PEXPIRETIME) may differ by the time that passes between the two servers' answers.
 */
class RedisDifferentialExpiryTest {

    private static LocalCluster dkv;
    private static int dkvPort;
    private static RedisServerProcess redis;
    private static int redisPort;

    /** How far apart time-counting replies may be: seconds for TTL and EXPIRETIME, milliseconds for the P forms. */
    private static final Map<String, Long> TOLERANCE = Map.of("TTL", 1L, "EXPIRETIME", 1L, "PTTL", 1_500L, "PEXPIRETIME", 1_500L);

    @BeforeAll
    static void start() throws IOException {
        dkvPort = Ports.freeBasePort(3);
        dkv = LocalCluster.start(3, 3, dkvPort, builder -> { });
        redis = RedisServerProcess.start("redis-differential-expiry");
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

    /** Each case: commands separated by "|", on key {@code k} (renamed per case); {@code $s} and {@code $ms} are now + 100 s. */
    private static final List<String> CASES = List.of(
            "SET k v EX 100 | TTL k | PTTL k | GET k | EXPIRETIME k | PEXPIRETIME k | EXISTS k",
            "SET k v PX 100000 | TTL k | PTTL k",
            "SET k v EXAT $s | TTL k | EXPIRETIME k",
            "SET k v PXAT $ms | PTTL k | PEXPIRETIME k",
            "SET k v ex 100 | TTL k | SET k v Px 100000 | PTTL k",
            "SET k v EX 0 | SET k v EX -1 | SET k v PX 0 | SET k v EXAT 0 | SET k v PXAT -5 | GET k",
            "SET k v EX abc | SET k v EX 1.5 | SET k v EX 05 | SET k v EX +5 | SET k v EX",
            "SET k v EX 10 PX 100 | SET k v KEEPTTL EX 10 | SET k v EX 10 KEEPTTL | SET k v PERSIST | SET k v EXAT 10 PXAT 10",
            "SET k v EX 10 EX 100 | TTL k | SET k v KEEPTTL KEEPTTL | TTL k",
            "SET k v EX 9223372036854775807 | SET k v PX 9223372036854775807 | SET k v EX 9223372036854776",
            "SET k v PXAT 9223372036854775807 | TTL k",
            "SET k v EX 100 | SET k w KEEPTTL | TTL k | GET k",
            "SET k v EX 100 | SET k w | TTL k | GET k",
            "SET k v KEEPTTL | TTL k | GET k",
            "SETEX k 100 v | TTL k | GET k | SETEX k 0 v | SETEX k -5 v | SETEX k abc v | SETEX k 10 | GET k",
            "PSETEX k 100000 v | PTTL k | PSETEX k 0 v | PSETEX k 9223372036854775807 v | PSETEX k",
            "GETEX k | GETEX k EX 0 | GETEX k EX 100 | SET k v | GETEX k | TTL k",
            "SET k v | GETEX k EX 100 | TTL k | GETEX k PERSIST | TTL k | GETEX k PX 100000 | PTTL k",
            "SET k v | GETEX k EXAT $s | EXPIRETIME k | GETEX k PXAT $ms | PEXPIRETIME k",
            "SET k v | GETEX k EX 0 | GETEX k EX -3 | GETEX k EX abc | GETEX k EX | GETEX k PERSIST EX 10 | GETEX k KEEPTTL",
            "SET k v | GETEX k NX | GETEX k GET | GETEX k EX 10 PX 10 | GETEX k PERSIST PERSIST | TTL k | GETEX",
            "SET k v | GETEX k PXAT 1 | GET k | EXISTS k | TTL k",
            "EXPIRE k 100 | PEXPIRE k 100000 | EXPIREAT k $s | PEXPIREAT k $ms | TTL k | EXISTS k",
            "SET k v | EXPIRE k 100 | TTL k | PEXPIRE k 50000 | PTTL k | EXPIREAT k $s | EXPIRETIME k | PEXPIREAT k $ms | PEXPIRETIME k",
            "SET k v | EXPIRE k abc | EXPIRE k 1.5 | EXPIRE k 05 | EXPIRE k 10 FOO | EXPIRE k | EXPIRE k 1 2 | TTL k",
            "SET k v | EXPIRE k 9223372036854775807 | PEXPIRE k 9223372036854775807 | EXPIREAT k 9223372036854775807 | TTL k",
            "SET k v | EXPIRE k -9223372036854775808 | TTL k",
            "SET k v | PEXPIREAT k 9223372036854775807 | TTL k | PTTL k",
            "SET k v | EXPIRE k -1 | GET k | EXISTS k | TTL k | PTTL k | EXPIRE k 100",
            "SET k v | EXPIRE k 0 | GET k | MGET k k",
            "SET k v | PEXPIREAT k 1 | GET k | EXPIREAT k 1",
            "SET k v | PERSIST k | EXPIRE k 100 | PERSIST k | TTL k | PERSIST k | GET k",
            "PERSIST k | PERSIST | PERSIST k k",
            "TTL k | PTTL k | EXPIRETIME k | PEXPIRETIME k | TTL | TTL k k",
            "SET k v | TTL k | PTTL k | EXPIRETIME k | PEXPIRETIME k",
            "SET k v EX 100 | DEL k | TTL k | GET k",
            "SET k v PXAT 1 | DEL k | EXISTS k | GET k | TTL k | SET k w | TTL k | GET k",
            "SET k v EX 100 | SET k w EXAT 1 | GET k | SET k x | GET k | TTL k");

    @Test
    void expiryRepliesMatchRedis() {
        long nowSeconds = System.currentTimeMillis() / 1000;
        int checked = 0;
        try (RawRedis fromRedis = new RawRedis(redisPort); RawRedis fromDkv = new RawRedis(dkvPort)) {
            for (int i = 0; i < CASES.size(); i++) {
                String key = "expiry-case-" + i;
                for (String step : CASES.get(i).split("\\|")) {
                    String[] args = step.trim().replace("$ms", String.valueOf((nowSeconds + 100) * 1000))
                            .replace("$s", String.valueOf(nowSeconds + 100)).split(" ");
                    for (int a = 1; a < args.length; a++) {
                        args[a] = args[a].equals("k") ? key : args[a];
                    }
                    Object redisReply = fromRedis.call(args);
                    Object dkvReply = fromDkv.call(args);
                    String what = "case " + i + ": " + String.join(" ", args) + " (in " + CASES.get(i) + ")";
                    Long tolerance = TOLERANCE.get(args[0]);
                    if (tolerance != null && redisReply instanceof Long expected && expected >= 0) {
                        assertThat(dkvReply).as(what).isInstanceOf(Long.class);
                        assertThat((Long) dkvReply).as(what).isBetween(expected - tolerance, expected + tolerance);
                    } else {
                        assertThat(dkvReply).as(what).isEqualTo(redisReply);
                    }
                    checked++;
                }
            }
        }
        System.out.println("RedisDifferentialExpiryTest: " + checked + " replies compared in " + CASES.size() + " cases");
    }

    /** What Redis does and dkv refuses: conditions on the current expiry need a compare-and-set. */
    @Test
    void expireConditionsAreRefusedWithWhatToUseInstead() {
        try (RawRedis client = new RawRedis(dkvPort)) {
            client.call("SET", "conditional", "v");
            for (String command : List.of("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT")) {
                for (String option : List.of("NX", "xx", "GT", "LT")) {
                    Object reply = client.call(command, "conditional", "100", option);
                    assertThat(reply).as("%s %s", command, option).asString()
                            .startsWith("-ERR " + command + " " + option.toUpperCase() + " is not supported")
                            .contains("compare-and-set").contains("use " + command + " without options");
                }
            }
            assertThat(client.call("TTL", "conditional")).isEqualTo(-1L);
            assertThat(client.call("SET", "conditional", "v", "NX", "EX", "10")).asString().contains("compare-and-set");
            assertThat(client.call("TTL", "conditional")).isEqualTo(-1L);
        }
    }

    /** The TTL commands read like GET: as many replies as keys asked, and expired keys count as absent in MGET and EXISTS. */
    @Test
    void expiredKeysAreAbsentToEveryRead() {
        try (RawRedis client = new RawRedis(dkvPort)) {
            client.call("SET", "soon", "v", "PX", "50");
            client.call("SET", "later", "w", "EX", "100");
            Awaitility.await("soon expires").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> client.call("GET", "soon") == null);
            assertThat(client.call("MGET", "soon", "later")).isEqualTo(new ArrayList<>(java.util.Arrays.asList(null, "w")));
            assertThat(client.call("EXISTS", "soon", "later")).isEqualTo(1L);
            assertThat(client.call("TTL", "soon")).isEqualTo(-2L);
            assertThat(client.call("PERSIST", "soon")).isEqualTo(0L);
            assertThat(client.call("EXPIRE", "soon", "100")).isEqualTo(0L);
            assertThat(client.call("GET", "soon")).isNull();
        }
    }
}
