package io.dkv.server;

import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Over the Redis protocol on a 3-node TCP cluster: a join whose node never comes (its
 * address answers nothing) stays under way, {@code DKV.RING} shows it with the joining
 * node's progress row, and {@code DKV.REMOVENODE} of that node abandons it once the node is
 * marked down: every node routes by the old placement again, at a later epoch.
 */
class AbandonedJoinTest {

    @Test
    void aJoinWhoseNodeNeverComesIsAbandonedByRemovingTheNode() {
        int basePort = Ports.freeBasePort(3);
        try (LocalCluster cluster = LocalCluster.start(3, 3, basePort, settings -> settings.set("partitions", "64"));
             Jedis n1 = new Jedis("127.0.0.1", basePort, 10_000);
             Jedis n2 = new Jedis("127.0.0.1", basePort + 1, 10_000)) {
            call(n1, "DKV.JOIN", "n4", "127.0.0.1:1");

            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> (Long) ring(n2).get("epoch") >= 2);
            Map<String, Object> moving = ring(n2);
            assertThat(moving).containsEntry("moving", 1L).containsEntry("epoch", 2L).containsKey("moving_ms");
            List<?> progress = (List<?>) moving.get("progress");
            assertThat(progress).hasSize(1);
            assertThat(text(((List<?>) progress.get(0)).get(0))).isEqualTo("n4");

            // n4 counts as up during its start-up grace; the removal is refused until it is marked down.
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> call(n2, "DKV.REMOVENODE", "n4") != null);
            for (int port = basePort; port < basePort + 3; port++) {
                try (Jedis node = new Jedis("127.0.0.1", port, 10_000)) {
                    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> (Long) ring(node).get("epoch") >= 3);
                    Map<String, Object> after = ring(node);
                    assertThat(after).containsEntry("moving", 0L).doesNotContainKey("progress");
                    assertThat((List<?>) after.get("nodes")).hasSize(3);
                }
            }
        }
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
            ring.put(text(fields.get(i)), fields.get(i + 1));
        }
        return ring;
    }

    private static String text(Object bulk) {
        return new String((byte[]) bulk, StandardCharsets.UTF_8);
    }
}
