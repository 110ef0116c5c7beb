package io.dkv.server;

import io.dkv.server.storage.DataDirectory;
import io.dkv.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Nodes with a data directory keep their data across a stop and a start, and guard the directory. */
class DurableLocalClusterTest {

    @TempDir
    Path dir;

    private LocalCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private LocalCluster start(int basePort) {
        return LocalCluster.start(3, 3, basePort,
                settings -> settings.defaultDataDir(node -> dir.resolve(node.toString())).set("http-port", "0")
                        .set("partitions", "256")); // a first start compares every partition: keep it short
    }

    @Test
    void aClusterStoppedAndStartedAgainStillHasEveryWrite() {
        int basePort = Ports.freeBasePort(3);
        cluster = start(basePort);
        assertThat(cluster.servers().get(0).settings().storage().durable()).isTrue();
        DataDirectory first = cluster.servers().get(0).storage().dataDirectory().orElseThrow();
        assertThat(first.isNew()).isTrue();
        try (Jedis jedis = new Jedis("127.0.0.1", basePort, 10_000)) {
            for (int i = 0; i < 300; i++) {
                assertThat(jedis.set("key" + i, "value" + i)).isEqualTo("OK");
            }
            jedis.del("key7");
        }
        cluster.close();

        cluster = start(basePort);
        for (NodeServer server : cluster.servers()) {
            DataDirectory data = server.storage().dataDirectory().orElseThrow();
            assertThat(data.isNew()).as("%s", server.id()).isFalse();
            assertThat(data.wasCleanShutdown()).as("%s", server.id()).isTrue();
            assertThat(server.node().storage().keyCount()).as("keys on %s", server.id()).isEqualTo(299);
        }
        try (Jedis jedis = new Jedis("127.0.0.1", basePort + 1, 10_000)) {
            for (int i = 0; i < 300; i++) {
                assertThat(jedis.get("key" + i)).as("key%d", i).isEqualTo(i == 7 ? null : "value" + i);
            }
        }
    }

    @Test
    void aDataDirectoryInUseOrOfAnotherNodeIsRefused() {
        int basePort = Ports.freeBasePort(3);
        cluster = start(basePort);
        int otherPorts = Ports.freeBasePort(1);
        assertThatThrownBy(() -> LocalCluster.start(1, 1, otherPorts,
                settings -> settings.set("data-dir", dir.resolve("n1").toString()).set("http-port", "0")))
                .hasMessageContaining("is already in use by this process");
        cluster.close();
        cluster = null;

        assertThatThrownBy(() -> LocalCluster.start(1, 1, otherPorts,
                settings -> settings.set("data-dir", dir.resolve("n2").toString()).set("http-port", "0")))
                .hasMessageContaining("belongs to node n2, not n1");
    }
}
