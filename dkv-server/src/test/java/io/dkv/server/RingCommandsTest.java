package io.dkv.server;

import io.dkv.testkit.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ring commands on a 3-node TCP cluster (RF 3): DKV.RING describes the ring, and every
 * change that cannot proceed is refused with a reason, leaving the ring as it was.
 */
class RingCommandsTest {

    private static LocalCluster cluster;
    private static int basePort;

    @BeforeAll
    static void start() {
        basePort = Ports.freeBasePort(3);
        cluster = LocalCluster.start(3, 3, basePort, settings -> settings.set("partitions", "64"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static Jedis client(int node) {
        return new Jedis("127.0.0.1", basePort + node - 1, 10_000);
    }

    private static Object call(Jedis jedis, String... args) {
        String[] rest = new String[args.length - 1];
        System.arraycopy(args, 1, rest, 0, rest.length);
        return jedis.sendCommand(() -> args[0].getBytes(StandardCharsets.UTF_8), rest);
    }

    private static Map<String, Object> ring(Jedis jedis) {
        List<?> fields = (List<?>) call(jedis, "DKV.RING");
        Map<String, Object> ring = new HashMap<>();
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            ring.put(new String((byte[]) fields.get(i), StandardCharsets.UTF_8), fields.get(i + 1));
        }
        return ring;
    }

    @Test
    void ringDescribesTheEpochNodesAndPlacements() {
        try (Jedis n1 = client(1)) {
            Map<String, Object> ring = ring(n1);
            assertThat(ring).containsEntry("epoch", 1L).containsEntry("moving", 0L).containsEntry("partitions", 64L)
                    .containsEntry("replicas", 3L);
            List<?> nodes = (List<?>) ring.get("nodes");
            assertThat(nodes).hasSize(3);
            for (Object row : nodes) {
                assertThat(new String((byte[]) ((List<?>) row).get(1), StandardCharsets.UTF_8))
                        .as("every node replicates every partition at N = RF").isEqualTo("64");
            }
        }
    }

    @Test
    void changesThatCannotProceedAreRefusedWithAReason() {
        try (Jedis n1 = client(1)) {
            assertThatThrownBy(() -> call(n1, "DKV.DECOMMISSION")).isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("fewer");
            assertThatThrownBy(() -> call(n1, "DKV.REMOVENODE", "n2")).isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("n2 is up");
            assertThatThrownBy(() -> call(n1, "DKV.REPLACE", "n2", "n9", "127.0.0.1:1")).isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("n2 is up");
            assertThatThrownBy(() -> call(n1, "DKV.JOIN", "n2", "127.0.0.1:1")).isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("already");
            assertThatThrownBy(() -> call(n1, "DKV.JOIN", "n4", "no-port")).isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("host:port");
            assertThatThrownBy(() -> call(n1, "DKV.JOIN", "nobody", "127.0.0.1:1")).isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("not a node id");
            assertThatThrownBy(() -> call(n1, "DKV.REMOVENODE")).isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("wrong number of arguments");
            assertThat(ring(n1)).as("nothing changed").containsEntry("epoch", 1L).containsEntry("moving", 0L);
        }
    }
}
