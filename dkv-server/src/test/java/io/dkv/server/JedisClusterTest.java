package io.dkv.server;

import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.storage.StorageEngine;
import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A 3-node TCP cluster (RF = 3) in this JVM, used through Jedis, a client nobody here wrote. */
class JedisClusterTest {

    private static LocalCluster cluster;
    private static int basePort;

    @BeforeAll
    static void start() {
        basePort = Ports.freeBasePort(3);
        cluster = LocalCluster.start(3, 3, basePort);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static Jedis client(int node) {
        return new Jedis("127.0.0.1", basePort + node - 1, 10_000);
    }

    @Test
    void putGetDeleteThroughDifferentNodes() {
        try (Jedis n1 = client(1); Jedis n2 = client(2); Jedis n3 = client(3)) {
            assertThat(n1.set("greeting", "hello")).isEqualTo("OK");
            assertThat(n2.get("greeting")).isEqualTo("hello");
            assertThat(n3.del("greeting")).isEqualTo(1);
            assertThat(n1.get("greeting")).isNull();
            assertThat(n2.del("greeting")).isZero();
        }
    }

    @Test
    void aOneMebibyteKeyWithAOneMebibyteValue() {
        byte[] key = new byte[1 << 20];
        byte[] value = new byte[1 << 20];
        new SplittableRandom(1).nextBytes(key);
        new SplittableRandom(2).nextBytes(value);
        try (Jedis n1 = client(1); Jedis n3 = client(3)) {
            assertThat(n1.set(key, value)).isEqualTo("OK");
            byte[] read = n3.get(key);
            assertThat(read).hasSize(1 << 20);
            assertThat(Arrays.equals(read, value)).isTrue();
            for (var server : cluster.servers()) {
                assertThat(server.node().localEntry(key)).as("replica %s", server.id()).isNotNull();
            }
            assertThat(n3.del(key)).isEqualTo(1);
            assertThat(n1.get(key)).isNull();
        }
    }

    @Test
    void multiKeyCommandsAndExists() {
        try (Jedis jedis = client(2)) {
            assertThat(jedis.mset("a", "1", "b", "2", "c", "3")).isEqualTo("OK");
            assertThat(jedis.mget("a", "missing", "c")).containsExactly("1", null, "3");
            assertThat(jedis.exists("a", "b", "missing")).isEqualTo(2);
            assertThat(jedis.del("a", "b", "missing")).isEqualTo(2);
        }
    }

    @Test
    void connectionCommandsWorkAsInRedis() {
        try (Jedis jedis = client(1)) {
            assertThat(jedis.ping()).isEqualTo("PONG");
            assertThat(jedis.echo("hi")).isEqualTo("hi");
            assertThat(jedis.select(0)).isEqualTo("OK");
            assertThatThrownBy(() -> jedis.select(1)).isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("out of range");
            jedis.clientSetname("tester");
            assertThat(jedis.clientGetname()).isEqualTo("tester");
            assertThat(jedis.info("server")).contains("redis_version:").contains("tcp_port:" + basePort);
            assertThat(jedis.configGet("save")).containsKey("save");
        }
    }

    @Test
    void infoHasTheFieldsRedisToolsRead() {
        try (Jedis jedis = client(1); Jedis second = client(1)) {
            for (int i = 0; i < 10; i++) {
                jedis.set("info:key" + i, "v");
            }
            assertThat(second.ping()).isEqualTo("PONG");
            StorageEngine storage = cluster.server(NodeId.of(1)).node().storage();
            // Writes coordinated by other tests may still be landing on n1: compare once it is quiet.
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                long keys = storage.keyCount();
                Map<String, String> fields = infoFields(jedis.info());
                assertThat(fields.get("db0")).as("INFO keyspace line: the keys n1 stores")
                        .isEqualTo("keys=" + keys + ",expires=0,avg_ttl=0");
                assertThat(jedis.dbSize()).isEqualTo(keys);
                assertThat(fields.get("connected_clients")).as("the two connections of this test").isEqualTo("2");
            });
            assertThat(storage.keyCount()).isGreaterThanOrEqualTo(10);
            Map<String, String> fields = infoFields(jedis.info());
            assertThat(fields.get("used_memory")).isEqualTo(String.valueOf(storage.bytes()));
            long processed = Long.parseLong(fields.get("total_commands_processed"));
            jedis.get("info:key0");
            assertThat(Long.parseLong(infoFields(jedis.info()).get("total_commands_processed")))
                    .as("commands processed, after one more GET and INFO").isGreaterThanOrEqualTo(processed + 2);
            // redis-cli --stat prints blocked_clients, the persistence flags and the keyspace line;
            // dkv blocks no client and persists nothing, so these are constants.
            String info = jedis.info();
            assertThat(info).contains("# Clients\r\nconnected_clients:").contains("blocked_clients:0\r\n")
                    .contains("# Persistence\r\nloading:0\r\nrdb_bgsave_in_progress:0\r\n")
                    .containsPattern("used_memory_human:[0-9.]+[BKMGTP]\r\n");
            assertThat(jedis.info("persistence")).startsWith("# Persistence").doesNotContain("# Server");
        }
    }

    /**
     * A web session as a hash with a time to live, the way session stores use Jedis: fields
     * written through different nodes all stay, on every replica; the hash expires whole.
     */
    @Test
    void aSessionHashWithExpiry() {
        try (Jedis n1 = client(1); Jedis n2 = client(2); Jedis n3 = client(3)) {
            assertThat(n1.hset("session:42", Map.of("user", "alice", "cart", "3 items"))).isEqualTo(2);
            assertThat(n1.expire("session:42", 1_800)).isEqualTo(1);
            assertThat(n2.hset("session:42", "lastSeen", "1700000000")).isEqualTo(1);
            assertThat(n3.hset("session:42", "csrf", "t0k3n")).isEqualTo(1);
            assertThat(n1.hgetAll("session:42")).isEqualTo(Map.of("user", "alice", "cart", "3 items",
                    "lastSeen", "1700000000", "csrf", "t0k3n"));
            assertThat(n2.ttl("session:42")).isBetween(1_790L, 1_800L);
            assertThat(n3.hmget("session:42", "user", "nothing")).containsExactly("alice", null);
            assertThat(n1.hdel("session:42", "cart")).isEqualTo(1);
            assertThat(n2.hexists("session:42", "cart")).isFalse();
            assertThat(n3.hlen("session:42")).isEqualTo(3);
            assertThat(n1.type("session:42")).isEqualTo("hash");
            for (var server : cluster.servers()) {
                // A write answers at its consistency level: the last replica's copy may still be on its way.
                Awaitility.await("fields on replica " + server.id()).atMost(Duration.ofSeconds(10)).until(() -> {
                    Entry entry = server.node().localEntry("session:42".getBytes(StandardCharsets.UTF_8));
                    return entry != null && entry.fields().liveCount() == 3;
                });
            }
            assertThatThrownBy(() -> n2.get("session:42")).isInstanceOf(JedisDataException.class)
                    .hasMessageStartingWith("WRONGTYPE");
            assertThatThrownBy(() -> n2.hincrBy("session:42", "hits", 1)).isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("not supported");
            assertThat(n3.pexpire("session:42", 100)).isEqualTo(1);
            Awaitility.await("the session expires").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> n1.hgetAll("session:42").isEmpty());
            assertThat(n2.exists("session:42")).isFalse();
            assertThat(n2.hset("session:42", "user", "bob")).isEqualTo(1);
            assertThat(n3.hgetAll("session:42")).isEqualTo(Map.of("user", "bob"));
            assertThat(n1.ttl("session:42")).isEqualTo(-1);
        }
    }

    @Test
    void conditionalSetOptionsAreRefusedClearly() {
        try (Jedis jedis = client(1)) {
            assertThatThrownBy(() -> jedis.set("k", "v", redis.clients.jedis.params.SetParams.setParams().nx().ex(10)))
                    .isInstanceOf(JedisDataException.class).hasMessageContaining("compare-and-set");
            assertThatThrownBy(() -> jedis.sendCommand(redis.clients.jedis.Protocol.Command.SET, "k", "v", "GET"))
                    .isInstanceOf(JedisDataException.class).hasMessageContaining("read with GET, then write with SET");
            assertThat(jedis.get("k")).isNull();
        }
    }

    @Test
    void replicasCommandShowsEachReplicasVersion() {
        try (Jedis jedis = client(3)) {
            jedis.set("inspected", "value");
            // A QUORUM SET is answered after two replicas: wait for the third before comparing.
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> cluster.servers().stream()
                    .allMatch(server -> server.node().localEntry("inspected".getBytes()) != null));
            Entry stored = cluster.server(NodeId.of(1)).node().localEntry("inspected".getBytes());
            for (var server : cluster.servers()) {
                assertThat(server.node().localEntry("inspected".getBytes())).as("replica %s", server.id()).isEqualTo(stored);
            }

            List<?> rows = (List<?>) jedis.sendCommand(() -> "DKV.REPLICAS".getBytes(), "inspected");

            assertThat(rows).hasSize(3);
            Set<String> nodes = new HashSet<>();
            for (Object row : rows) {
                List<String> fields = ((List<?>) row).stream().map(f -> new String((byte[]) f, StandardCharsets.UTF_8)).toList();
                assertThat(fields).as("row %s", fields)
                        .containsExactly(fields.get(0), "up", stored.version().toString(), "5 bytes");
                nodes.add(fields.get(0));
            }
            assertThat(nodes).containsExactlyInAnyOrder("n1", "n2", "n3");
        }
    }

    /** INFO's {@code field:value} lines. */
    private static Map<String, String> infoFields(String info) {
        Map<String, String> fields = new HashMap<>();
        for (String line : info.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }
}
