package io.dkv.server;

import io.dkv.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node whose store is full refuses growing writes with OOM, keeps serving reads and deletes, and recovers. */
class StorageLimitTest {

    private LocalCluster cluster;
    private int basePort;

    private void start(int nodes) {
        basePort = Ports.freeBasePort(nodes);
        cluster = LocalCluster.start(nodes, nodes, basePort, settings -> settings.set("memory-limit-bytes", "200000"));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aFullSingleNodeRefusesWritesWithOomButKeepsEverythingElse() {
        start(1);
        fillRefuseAndRecover();
    }

    @Test
    void fullReplicasMakeAQuorumWriteFailWithOomNotNoReplicas() {
        start(3);
        fillRefuseAndRecover();
    }

    private void fillRefuseAndRecover() {
        String value = "x".repeat(10_000);
        try (Jedis writer = new Jedis("127.0.0.1", basePort, 10_000); Jedis other = new Jedis("127.0.0.1", basePort, 10_000)) {
            int stored = 0;
            JedisDataException full = null;
            for (int i = 0; i < 100 && full == null; i++) {
                try {
                    writer.set("key" + i, value);
                    stored++;
                } catch (JedisDataException e) {
                    full = e;
                }
            }
            assertThat(full).as("a write past the limit is refused").isNotNull();
            assertThat(full.getMessage()).startsWith("OOM").contains("storage full").contains("limit is 200000");
            assertThat(cluster.servers().get(0).registry().scrape()).contains("outcome=\"full\"");
            assertThat(stored).isBetween(10, 20);

            // The same connection and another one keep working: reads, small control commands, deletes.
            assertThat(writer.get("key0")).isEqualTo(value);
            assertThat(other.ping()).isEqualTo("PONG");
            assertThatThrownBy(() -> other.set("one-more", value)).hasMessageStartingWith("OOM");
            for (int i = 0; i < stored; i++) {
                assertThat(other.del("key" + i)).isEqualTo(1);
            }
            // Space freed by the deletes is writable again.
            assertThat(writer.set("after", value)).isEqualTo("OK");
            assertThat(other.get("after")).isEqualTo(value);
        }
    }
}
