package io.dkv.server;

import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.version.Version;
import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code DKV.PUT} and {@code DKV.GET}: SET and GET that also answer the version, on a 3-node TCP cluster (RF 3). */
class VersionedCommandsTest {

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

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Object put(Jedis jedis, String key, String value) {
        return jedis.sendCommand(() -> bytes("DKV.PUT"), key, value);
    }

    private static List<?> get(Jedis jedis, String key) {
        return (List<?>) jedis.sendCommand(() -> bytes("DKV.GET"), key);
    }

    private static Version version(Object stamp, Object node) {
        return new Version((Long) stamp, ((Long) node).intValue());
    }

    @Test
    void putAnswersTheVersionItWasStampedWithAndGetAnswersValueAndVersion() {
        try (Jedis n2 = client(2); Jedis n3 = client(3)) {
            List<?> written = (List<?>) put(n2, "versioned", "one");
            assertThat(written).hasSize(2);
            Version first = version(written.get(0), written.get(1));
            assertThat(first.node()).as("stamped by the coordinator").isEqualTo(2);
            // A QUORUM write is answered after two replicas; the third applies it a moment later.
            for (NodeServer server : cluster.servers()) {
                Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    Entry stored = server.node().localEntry(bytes("versioned"));
                    assertThat(stored).as("replica %s", server.id()).isNotNull();
                    assertThat(stored.version()).isEqualTo(first);
                });
            }

            List<?> read = get(n3, "versioned");
            assertThat(read).hasSize(3);
            assertThat(new String((byte[]) read.get(0), StandardCharsets.UTF_8)).isEqualTo("one");
            assertThat(version(read.get(1), read.get(2))).isEqualTo(first);

            List<?> rewritten = (List<?>) put(n3, "versioned", "two");
            Version second = version(rewritten.get(0), rewritten.get(1));
            assertThat(second.isAfter(first)).as("%s after %s", second, first).isTrue();
            List<?> reread = get(n2, "versioned");
            assertThat(new String((byte[]) reread.get(0), StandardCharsets.UTF_8)).isEqualTo("two");
            assertThat(version(reread.get(1), reread.get(2))).isEqualTo(second);
        }
    }

    @Test
    void anAbsentKeyIsThreeNilsAndADeletedOneANilValueWithItsVersion() {
        try (Jedis n1 = client(1)) {
            assertThat(get(n1, "never-written")).containsExactly(null, null, null);

            put(n1, "deleted", "v");
            assertThat(n1.del("deleted")).isEqualTo(1);
            Entry tombstone = cluster.server(NodeId.of(1)).node().localEntry(bytes("deleted"));
            assertThat(tombstone.isTombstone()).isTrue();
            List<?> read = get(n1, "deleted");
            assertThat(read.get(0)).isNull();
            assertThat(version(read.get(1), read.get(2))).isEqualTo(tombstone.version());
        }
    }

    @Test
    void wrongArityIsRefusedLikeSetAndGet() {
        try (Jedis n1 = client(1)) {
            assertThatThrownBy(() -> n1.sendCommand(() -> bytes("DKV.PUT"), "k"))
                    .isInstanceOf(JedisDataException.class).hasMessageContaining("wrong number of arguments");
            assertThatThrownBy(() -> n1.sendCommand(() -> bytes("DKV.GET"), "k", "extra"))
                    .isInstanceOf(JedisDataException.class).hasMessageContaining("wrong number of arguments");
        }
    }

    @Test
    void tooFewReplicasGiveNoReplicasErrors() {
        int port = Ports.freeBasePort(3);
        try (LocalCluster small = LocalCluster.start(3, 3, port, settings -> settings.set("hinted-handoff", "false"));
             Jedis n1 = new Jedis("127.0.0.1", port, 10_000)) {
            small.stop(NodeId.of(3));
            n1.sendCommand(() -> bytes("DKV.CONSISTENCY"), "ALL");
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                    assertThatThrownBy(() -> n1.sendCommand(() -> bytes("DKV.PUT"), "k", "v"))
                            .isInstanceOf(JedisDataException.class).hasMessageStartingWith("NOREPLICAS"));
            assertThatThrownBy(() -> n1.sendCommand(() -> bytes("DKV.GET"), "k"))
                    .isInstanceOf(JedisDataException.class).hasMessageStartingWith("NOREPLICAS");
        }
    }
}
