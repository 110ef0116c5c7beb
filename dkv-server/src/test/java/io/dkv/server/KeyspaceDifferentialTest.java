package io.dkv.server;

import io.dkv.server.acl.RawRedis;
import io.dkv.server.acl.RedisServerProcess;
import io.dkv.testkit.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The key-space and read-only string commands against a real redis-server started by the
 * test and a 3-node dkv cluster (RF = 3), both loaded with the same keys: the same requests
 * must get the same replies (as sets where the order is the server's own: KEYS, SCAN).
 */
class KeyspaceDifferentialTest {

    private static final List<String[]> KEYS = List.of(
            new String[]{"greeting", "Hello, World"},
            new String[]{"user:1", "alice"},
            new String[]{"user:2", "bob"},
            new String[]{"user:10", "carol"},
            new String[]{"session:abc", "x".repeat(300)},
            new String[]{"hello", "1"},
            new String[]{"hallo", "2"},
            new String[]{"empty", ""},
            new String[]{"unicode", "h\u00e9llo w\u00f6rld"},
            new String[]{"temp:1", "a"},
            new String[]{"temp:2", "b"});

    /** Compared verbatim, in order (some change the data the next ones see). */
    private static final List<String[]> CASES = List.of(
            new String[]{"STRLEN", "greeting"},
            new String[]{"STRLEN", "unicode"},
            new String[]{"STRLEN", "empty"},
            new String[]{"STRLEN", "missing"},
            new String[]{"STRLEN"},
            new String[]{"STRLEN", "a", "b"},
            new String[]{"GETRANGE", "greeting", "0", "-1"},
            new String[]{"GETRANGE", "greeting", "0", "4"},
            new String[]{"GETRANGE", "greeting", "-5", "-1"},
            new String[]{"GETRANGE", "greeting", "5", "3"},
            new String[]{"GETRANGE", "greeting", "-100", "100"},
            new String[]{"GETRANGE", "greeting", "-1", "-5"},
            new String[]{"GETRANGE", "greeting", "-5", "-100"},
            new String[]{"GETRANGE", "greeting", "3", "-100"},
            new String[]{"GETRANGE", "greeting", "100", "200"},
            new String[]{"GETRANGE", "greeting", "0", "0"},
            new String[]{"GETRANGE", "greeting", "-1", "-1"},
            new String[]{"GETRANGE", "empty", "0", "-1"},
            new String[]{"GETRANGE", "missing", "0", "-1"},
            new String[]{"GETRANGE", "greeting", "a", "1"},
            new String[]{"GETRANGE", "greeting", "1", "9223372036854775808"},
            new String[]{"GETRANGE", "greeting", "0"},
            new String[]{"SUBSTR", "greeting", "1", "3"},
            new String[]{"SUBSTR", "greeting", "-3", "-1"},
            new String[]{"SUBSTR", "greeting"},
            new String[]{"TYPE", "greeting"},
            new String[]{"TYPE", "missing"},
            new String[]{"TYPE"},
            new String[]{"TOUCH", "greeting", "missing", "greeting", "user:1"},
            new String[]{"TOUCH"},
            new String[]{"EXISTS", "greeting", "missing"},
            new String[]{"DBSIZE"},
            new String[]{"DBSIZE", "extra"},
            new String[]{"UNLINK", "temp:1", "temp:2", "missing"},
            new String[]{"UNLINK", "temp:1"},
            new String[]{"UNLINK"},
            new String[]{"EXISTS", "temp:1", "temp:2"},
            new String[]{"DBSIZE"},
            new String[]{"MEMORY", "USAGE", "missing"},
            new String[]{"MEMORY", "USAGE", "greeting", "SAMPLES", "x"},
            new String[]{"MEMORY", "USAGE", "greeting", "FOO", "1"},
            new String[]{"MEMORY", "USAGE"},
            new String[]{"MEMORY"},
            new String[]{"SCAN", "abc"},
            new String[]{"SCAN", "0", "COUNT", "0"},
            new String[]{"SCAN", "0", "COUNT", "x"},
            new String[]{"SCAN", "0", "MATCH"},
            new String[]{"SCAN", "0", "FOO", "bar"},
            new String[]{"SCAN"},
            new String[]{"KEYS"},
            new String[]{"KEYS", "nothing*"},
            new String[]{"RANDOMKEY", "extra"});

    private static LocalCluster dkv;
    private static int dkvPort;
    private static RedisServerProcess redis;
    private static int redisPort;

    @BeforeAll
    static void start() throws IOException {
        dkvPort = Ports.freeBasePort(3);
        // 256 partitions instead of 4096: a full scan costs a round trip per partition, and this test makes dozens.
        dkv = LocalCluster.start(3, 3, dkvPort, builder -> builder.set("partitions", "256"));
        redis = RedisServerProcess.start("redis-keyspace");
        redisPort = redis.port();
        try (RawRedis toDkv = new RawRedis(dkvPort); RawRedis toRedis = new RawRedis(redisPort)) {
            for (String[] pair : KEYS) {
                assertThat(toDkv.call("SET", pair[0], pair[1])).isEqualTo("OK");
                assertThat(toRedis.call("SET", pair[0], pair[1])).isEqualTo("OK");
            }
        }
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
    void theSameRequestsGetTheSameReplies() {
        // Through the second node: the commands are cluster-wide, not about one node's store.
        try (RawRedis toDkv = new RawRedis(dkvPort + 1); RawRedis toRedis = new RawRedis(redisPort)) {
            for (String[] request : CASES) {
                assertThat(toDkv.call(request)).as(String.join(" ", request)).isEqualTo(toRedis.call(request));
            }
            for (String pattern : new String[]{"*", "user:*", "h?llo", "h[ae]llo", "user:1*", "*:*"}) {
                assertThat(asSet(toDkv.call("KEYS", pattern))).as("KEYS %s", pattern)
                        .isEqualTo(asSet(toRedis.call("KEYS", pattern)));
                assertThat(scanAll(toDkv, "MATCH", pattern, "COUNT", "3")).as("SCAN MATCH %s", pattern)
                        .isEqualTo(scanAll(toRedis, "MATCH", pattern, "COUNT", "3"));
            }
            assertThat(scanAll(toDkv)).isEqualTo(scanAll(toRedis)).hasSize(KEYS.size() - 2);
            assertThat(scanAll(toDkv, "TYPE", "string")).isEqualTo(scanAll(toRedis, "TYPE", "string"));
            assertThat(scanAll(toDkv, "TYPE", "hash")).isEqualTo(scanAll(toRedis, "TYPE", "hash")).isEmpty();
            Set<String> keys = asSet(toDkv.call("KEYS", "*"));
            for (int i = 0; i < 5; i++) {
                assertThat(keys).contains((String) toDkv.call("RANDOMKEY"));
            }
            assertThat((Long) toDkv.call("MEMORY", "USAGE", "session:abc")).isGreaterThan(300);
            // Cursors are the server's own: dkv's is a ring hash, and -1 (read as 2^64 - 1) is past every key.
            assertThat(toDkv.call("SCAN", "-1")).isEqualTo(List.of("0", List.of()));
            assertThat((Long) toDkv.call("DKV.LOCALSIZE")).isEqualTo(KEYS.size() - 2);
        }
    }

    @Test
    void refusedCommandsSayWhyAndAreNotListedAsCommands() {
        try (RawRedis toDkv = new RawRedis(dkvPort)) {
            assertThat((String) toDkv.call("INCR", "counter"))
                    .startsWith("-ERR INCR is not supported by dkv: it reads and then writes a value as one atomic step")
                    .contains("then SET");
            assertThat((String) toDkv.call("MULTI")).startsWith("-ERR MULTI is not supported by dkv")
                    .contains("pipeline without MULTI");
            assertThat((String) toDkv.call("setnx", "k", "v")).startsWith("-ERR SETNX is not supported by dkv");
            assertThat((String) toDkv.call("HINCRBY", "h", "f", "1")).startsWith("-ERR HINCRBY is not supported by dkv")
                    .contains("with HSET");
            assertThat((String) toDkv.call("NOSUCHCOMMAND")).startsWith("-ERR unknown command 'NOSUCHCOMMAND'");
            assertThat(toDkv.call("GET", "k")).isNull();

            List<Object> list = objects(toDkv.call("COMMAND", "LIST"));
            assertThat(list).contains("scan", "keys", "strlen", "getrange", "substr", "type", "unlink", "touch",
                    "memory", "randomkey", "dbsize", "hset", "hget", "hgetall", "hdel", "hscan")
                    .doesNotContain("incr", "decr", "incrby", "decrby", "incrbyfloat", "setnx", "msetnx", "getset",
                            "getdel", "append", "setrange", "hsetnx", "hincrby", "hincrbyfloat", "multi", "exec",
                            "discard", "watch", "unwatch");
            assertThat(toDkv.call("COMMAND", "COUNT")).isEqualTo((long) list.size());
            assertThat(toDkv.call("COMMAND", "INFO", "incr", "strlen")).satisfies(info -> {
                List<?> items = (List<?>) info;
                assertThat(items.get(0)).isNull();
                assertThat(((List<?>) items.get(1)).get(0)).isEqualTo("strlen");
            });
            assertThat(objects(toDkv.call("COMMAND", "DOCS", "multi", "scan"))).hasSize(2).contains("scan");
            assertThat(String.valueOf(toDkv.call("COMMAND", "DOCS", "keys", "dbsize")))
                    .contains("O(N + P) where N is the number of keys in the cluster");
        }
    }

    /** The usual Jedis loop: scan with a pattern and a count until the cursor comes back as "0". */
    @Test
    void jedisScanLoop() {
        try (Jedis jedis = new Jedis("127.0.0.1", dkvPort + 2, 10_000)) {
            Set<String> found = new HashSet<>();
            ScanParams params = new ScanParams().match("user:*").count(2);
            String cursor = ScanParams.SCAN_POINTER_START;
            int calls = 0;
            do {
                ScanResult<String> page = jedis.scan(cursor, params);
                found.addAll(page.getResult());
                cursor = page.getCursor();
                calls++;
            } while (!cursor.equals("0"));
            assertThat(found).containsExactlyInAnyOrder("user:1", "user:2", "user:10");
            assertThat(calls).isGreaterThan(1);
            assertThat(jedis.type("user:1")).isEqualTo("string");
            assertThat(jedis.strlen("user:10")).isEqualTo(5);
            assertThat(jedis.getrange("greeting", 7, -1)).isEqualTo("World");
        }
    }

    private static Set<String> scanAll(RawRedis client, String... options) {
        Set<String> keys = new HashSet<>();
        String cursor = "0";
        int calls = 0;
        do {
            List<String> request = new ArrayList<>(List.of("SCAN", cursor));
            request.addAll(List.of(options));
            List<?> reply = (List<?>) client.call(request.toArray(String[]::new));
            cursor = (String) reply.get(0);
            for (Object key : (List<?>) reply.get(1)) {
                keys.add((String) key);
            }
            assertThat(++calls).as("SCAN calls").isLessThan(100_000);
        } while (!cursor.equals("0"));
        return keys;
    }

    private static List<Object> objects(Object reply) {
        return new ArrayList<>((List<?>) reply);
    }

    private static Set<String> asSet(Object reply) {
        Set<String> keys = new HashSet<>();
        for (Object key : (List<?>) reply) {
            keys.add((String) key);
        }
        return keys;
    }
}
