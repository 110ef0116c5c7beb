package io.dkv.server;

import io.dkv.core.TruncationMark;
import io.dkv.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.args.FlushMode;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** FLUSHALL and FLUSHDB through the Redis protocol, on in-process clusters over Netty. */
class FlushAllTest {

    @TempDir
    Path dir;

    private LocalCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyFormRemovesEveryKeyAndLaterWritesStay() {
        int basePort = Ports.freeBasePort(3);
        cluster = LocalCluster.start(3, 3, basePort, settings -> settings.set("http-port", "0"));
        try (Jedis first = new Jedis("127.0.0.1", basePort, 10_000);
             Jedis second = new Jedis("127.0.0.1", basePort + 1, 10_000);
             Jedis third = new Jedis("127.0.0.1", basePort + 2, 10_000)) {
            Jedis[] clients = {first, second, third};
            int round = 0;
            for (Runnable flush : new Runnable[]{
                    () -> assertThat(first.flushAll()).isEqualTo("OK"),
                    () -> assertThat(second.flushDB()).isEqualTo("OK"),
                    () -> assertThat(third.flushAll(FlushMode.ASYNC)).isEqualTo("OK"),
                    () -> assertThat(first.flushDB(FlushMode.SYNC)).isEqualTo("OK")}) {
                round++;
                for (int i = 0; i < 100; i++) {
                    assertThat(clients[i % 3].set("key" + i, "round" + round)).isEqualTo("OK");
                }
                flush.run();
                for (Jedis client : clients) {
                    for (int i = 0; i < 100; i += 7) {
                        assertThat(client.get("key" + i)).as("key%d after flush %d", i, round).isNull();
                    }
                }
                // A write right after the reply is stamped above the mark on every node.
                assertThat(third.set("key0", "after" + round)).isEqualTo("OK");
                for (Jedis client : clients) {
                    assertThat(client.get("key0")).isEqualTo("after" + round);
                }
            }
            assertThatThrownBy(() -> first.sendCommand(Protocol.Command.FLUSHALL, "LATER"))
                    .isInstanceOf(JedisDataException.class).hasMessage("ERR syntax error");
            assertThat(first.get("key0")).isEqualTo("after4");
        }
        TruncationMark mark = cluster.servers().get(0).node().truncationMark();
        assertThat(mark.isNone()).isFalse();
        for (NodeServer server : cluster.servers()) {
            assertThat(server.node().truncationMark()).as("%s", server.id()).isEqualTo(mark);
        }
    }

    @Test
    void theMarkSurvivesARestartOfADurableCluster() throws Exception {
        int basePort = Ports.freeBasePort(3);
        cluster = startDurable(basePort);
        TruncationMark mark;
        try (Jedis jedis = new Jedis("127.0.0.1", basePort, 10_000)) {
            for (int i = 0; i < 200; i++) {
                jedis.set("old" + i, "v");
            }
            assertThat(jedis.flushAll()).isEqualTo("OK");
            jedis.set("new", "kept");
            mark = cluster.servers().get(0).node().truncationMark();
        }
        cluster.close();
        for (String node : new String[]{"n1", "n2", "n3"}) {
            assertThat(Files.exists(dir.resolve(node).resolve("truncation-mark-a"))).as(node).isTrue();
        }

        cluster = startDurable(basePort);
        for (NodeServer server : cluster.servers()) {
            assertThat(server.node().truncationMark()).as("%s", server.id()).isEqualTo(mark);
            assertThat(server.node().storage().keyCount()).as("keys on %s", server.id()).isEqualTo(1);
        }
        try (Jedis jedis = new Jedis("127.0.0.1", basePort + 2, 10_000)) {
            assertThat(jedis.get("old7")).isNull();
            assertThat(jedis.get("new")).isEqualTo("kept");
            jedis.set("old7", "again");
            assertThat(jedis.get("old7")).isEqualTo("again");
            assertThat(jedis.info("dkv")).contains("flushall_mark_ms:" + mark.stamp() / 65_536 + "\r\n")
                    .contains("flushall_mark_learnt:1\r\n");
        }
    }

    private LocalCluster startDurable(int basePort) {
        return LocalCluster.start(3, 3, basePort,
                settings -> settings.defaultDataDir(node -> dir.resolve(node.toString())).set("http-port", "0")
                        .set("partitions", "256"));
    }
}
