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
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hash commands, and the string commands meeting a hash, against a real redis-server
 * started by the test and a 3-node dkv (3 replicas, in this JVM): each case is a few commands
 * on a key of its own, sent to both, the dkv steps through the nodes in turn so that every
 * step has another coordinator than the one before; every reply must match. Redis lists a
 * small hash in insertion order and dkv in name order, so HKEYS, HVALS, HGETALL and HSCAN
 * are compared as sets of fields.
 */
class RedisDifferentialHashTest {

    private static final Set<String> UNORDERED = Set.of("HKEYS", "HVALS");
    private static final Set<String> PAIRS = Set.of("HGETALL");

    private static LocalCluster dkv;
    private static int dkvPort;
    private static RedisServerProcess redis;
    private static int redisPort;

    @BeforeAll
    static void start() throws IOException {
        dkvPort = Ports.freeBasePort(3);
        dkv = LocalCluster.start(3, 3, dkvPort, builder -> builder.set("http-port", "0"));
        redis = RedisServerProcess.start("redis-differential-hash");
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

    /** Each case: commands separated by "|", on key {@code k} (renamed per case; {@code s} is a second key). */
    private static final List<String> CASES = List.of(
            "HSET k a 1 | HSET k b 2 c 3 | HSET k a 10 d 4 | HGET k a | HGET k zz | HLEN k | HGETALL k | HKEYS k | HVALS k",
            "HSET k a 1 a 2 | HGET k a | HLEN k",
            "HMSET k a 1 b 2 | HMGET k a b zz a | HMSET k | HMSET k a | HSET k | HSET k a | HSET k a 1 b",
            "HSET k a 1 b 2 c 3 | HDEL k a zz | HDEL k a | HDEL k b c b | HLEN k | EXISTS k | TYPE k | HGETALL k",
            "HSET k a 1 | HDEL k a | HSET k a 2 | HGET k a | HDEL k | HDEL k zz",
            "HGET k a | HMGET k a b | HGETALL k | HKEYS k | HVALS k | HLEN k | HEXISTS k a | HSTRLEN k a | HDEL k a",
            "HSET k a hello b '' | HSTRLEN k a | HSTRLEN k b | HSTRLEN k c | HEXISTS k a | HEXISTS k c | HEXISTS k",
            "HSET k a 1 | TYPE k | EXISTS k | GET k | STRLEN k | GETRANGE k 0 -1 | GETEX k | MGET k s | SUBSTR k 0 1",
            "SET k v | HSET k a 1 | HMSET k a 1 | HGET k a | HMGET k a | HGETALL k | HDEL k a | HLEN k | HKEYS k",
            "SET k v | HVALS k | HEXISTS k a | HSTRLEN k a | HSCAN k 0 | HRANDFIELD k | HRANDFIELD k 2 | TYPE k",
            "HSET k a 1 | SET k v | GET k | TYPE k | HGET k a | DEL k | HSET k b 2 | HGETALL k | TYPE k",
            "HSET k a 1 b 2 | DEL k | EXISTS k | HGETALL k | HSET k c 3 | HGETALL k",
            "HSET k a 1 | EXPIRE k 100 | TTL k | HSET k b 2 | TTL k | HLEN k | PERSIST k | TTL k",
            "HSET k a 1 | PEXPIREAT k 1 | HGET k a | HLEN k | EXISTS k | TYPE k | HSET k b 2 | HGETALL k | TTL k",
            "HSET k f1 1 f2 2 g1 3 | HSCAN k 0 | HSCAN k 0 MATCH f* | HSCAN k 0 COUNT 100 | HSCAN k 0 MATCH zz",
            "HSET k a 1 | HSCAN k abc | HSCAN k 0 COUNT 0 | HSCAN k 0 COUNT x | HSCAN k 0 MATCH | HSCAN k 0 FOO x | HSCAN k",
            "HSET k a 1 b 2 | HRANDFIELD k 5 | HRANDFIELD k 2 WITHVALUES | HRANDFIELD k 0 | HRANDFIELD k -3 FOO",
            "HRANDFIELD k | HRANDFIELD k 3 | HRANDFIELD k -3 | HRANDFIELD k 3 WITHVALUES | HRANDFIELD k x | HRANDFIELD",
            "HSET k a 1 | HRANDFIELD k | HRANDFIELD k -2 | HRANDFIELD k -2 WITHVALUES | HRANDFIELD k 1 WITHVALUES x",
            "HGET k | HGET k a b | HLEN | HGETALL | HKEYS k x | HEXISTS k | HSTRLEN k a b",
            "HSET k a 1 | MEMORY USAGE s | HINCRBY k a 1");

    @Test
    void hashRepliesMatchRedis() {
        int checked = 0;
        List<RawRedis> nodes = new ArrayList<>();
        try (RawRedis fromRedis = new RawRedis(redisPort)) {
            for (int n = 0; n < 3; n++) {
                nodes.add(new RawRedis(dkvPort + n));
            }
            int step = 0;
            for (int i = 0; i < CASES.size(); i++) {
                String key = "hash-case-" + i;
                for (String command : CASES.get(i).split("\\|")) {
                    String[] args = command.trim().split(" ");
                    for (int a = 1; a < args.length; a++) {
                        args[a] = args[a].equals("k") ? key : args[a].equals("s") ? key + "-s"
                                : args[a].equals("''") ? "" : args[a];
                    }
                    String what = "case " + i + ": " + String.join(" ", args) + " (in " + CASES.get(i) + ")";
                    Object redisReply = fromRedis.call(args);
                    Object dkvReply = nodes.get(step++ % nodes.size()).call(args);
                    if (args[0].equals("HINCRBY")) {
                        assertThat(dkvReply).as(what).asString().startsWith("-ERR HINCRBY is not supported by dkv");
                    } else if (args[0].equals("HRANDFIELD") && redisReply instanceof List<?> picks
                            && !(dkvReply instanceof String)) {
                        // Random picks: the same number of them, each a field the hash holds.
                        assertThat((List<?>) dkvReply).as(what).hasSameSizeAs(picks);
                        assertThat(allOf(fromRedis, key)).as(what).containsAll(Set.copyOf((List<?>) dkvReply));
                    } else if (args[0].equals("HRANDFIELD") && redisReply instanceof String field && !field.startsWith("-")) {
                        assertThat(dkvReply).as(what).isIn(allOf(fromRedis, key));
                    } else {
                        assertThat(comparable(args[0], dkvReply)).as(what).isEqualTo(comparable(args[0], redisReply));
                    }
                    checked++;
                }
            }
        } finally {
            nodes.forEach(RawRedis::close);
        }
        System.out.println("RedisDifferentialHashTest: " + checked + " replies compared in " + CASES.size() + " cases");
    }

    /** Every field name and value of the hash at {@code key} in Redis. */
    private static Set<Object> allOf(RawRedis redis, String key) {
        return Set.copyOf((List<?>) redis.call("HGETALL", key));
    }

    /** The reply with the server's own order taken out where Redis's order is not dkv's. */
    private static Object comparable(String command, Object reply) {
        if (!(reply instanceof List<?> items)) {
            return reply;
        }
        if (UNORDERED.contains(command)) {
            return items.stream().map(String::valueOf).sorted().toList();
        }
        if (PAIRS.contains(command)) {
            return pairs(items);
        }
        if (command.equals("HSCAN") && items.size() == 2 && items.get(1) instanceof List<?> page) {
            return List.of(items.get(0), pairs(page));
        }
        return reply;
    }

    private static List<Object> scanAll(RawRedis node, String type) {
        List<Object> keys = new ArrayList<>();
        String cursor = "0";
        do {
            List<?> page = (List<?>) node.call("SCAN", cursor, "COUNT", "1000", "TYPE", type);
            cursor = (String) page.get(0);
            keys.addAll((List<?>) page.get(1));
        } while (!cursor.equals("0"));
        return keys;
    }

    private static TreeMap<String, String> pairs(List<?> flat) {
        TreeMap<String, String> map = new TreeMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            map.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        }
        return map;
    }

    /** RESP3: HGETALL is a map, HRANDFIELD WITHVALUES a list of pairs, as in Redis. */
    @Test
    void resp3RepliesMatchRedis() {
        try (RawRedis fromRedis = new RawRedis(redisPort); RawRedis fromDkv = new RawRedis(dkvPort + 1)) {
            for (RawRedis client : List.of(fromRedis, fromDkv)) {
                assertThat(client.call("HELLO", "3")).isInstanceOf(List.class);
                assertThat(client.call("HSET", "resp3", "a", "1", "b", "2")).isEqualTo(2L);
            }
            assertThat(pairs((List<?>) fromDkv.call("HGETALL", "resp3"))).isEqualTo(pairs((List<?>) fromRedis.call("HGETALL", "resp3")));
            assertThat(Set.copyOf((List<?>) fromDkv.call("HRANDFIELD", "resp3", "5", "WITHVALUES")))
                    .isEqualTo(Set.copyOf((List<?>) fromRedis.call("HRANDFIELD", "resp3", "5", "WITHVALUES")));
            assertThat(fromDkv.call("HGETALL", "resp3-missing")).isEqualTo(fromRedis.call("HGETALL", "resp3-missing"));
            assertThat(fromDkv.call("HGET", "resp3", "zz")).isEqualTo(fromRedis.call("HGET", "resp3", "zz"));
        }
    }

    /** Concurrent-looking HSETs of different fields through different coordinators: both fields are there. */
    @Test
    void fieldsWrittenThroughDifferentNodesAllSurvive() {
        List<RawRedis> nodes = new ArrayList<>();
        try {
            for (int n = 0; n < 3; n++) {
                nodes.add(new RawRedis(dkvPort + n));
            }
            for (int n = 0; n < 3; n++) {
                assertThat(nodes.get(n).call("HSET", "merged", "field" + n, "v" + n)).isEqualTo(1L);
            }
            for (RawRedis node : nodes) {
                assertThat(pairs((List<?>) node.call("HGETALL", "merged")))
                        .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("field0", "v0", "field1", "v1", "field2", "v2"));
            }
            assertThat(nodes.get(1).call("SET", "plain", "v")).isEqualTo("OK");
            assertThat(scanAll(nodes.get(1), "hash")).contains("merged").doesNotContain("plain");
            assertThat(scanAll(nodes.get(2), "string")).contains("plain").doesNotContain("merged");
            assertThat((Long) nodes.get(0).call("MEMORY", "USAGE", "merged")).isGreaterThan(3 * 48L);
            assertThat(nodes.get(0).call("HDEL", "merged", "field1")).isEqualTo(1L);
            assertThat(nodes.get(2).call("HKEYS", "merged")).isEqualTo(List.of("field0", "field2"));
            assertThat(nodes.get(1).call("PEXPIRE", "merged", "50")).isEqualTo(1L);
            Awaitility.await("the hash expires").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> nodes.get(2).call("EXISTS", "merged").equals(0L));
            assertThat(nodes.get(0).call("HGETALL", "merged")).isEqualTo(List.of());
        } finally {
            nodes.forEach(RawRedis::close);
        }
    }
}
