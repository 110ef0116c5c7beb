package io.dkv.server;

import io.dkv.cluster.membership.register.Committed;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.cluster.rebalance.RingStateCodec;
import io.dkv.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A ring epoch committed by durable nodes is in their data directories after a stop and a start. */
class DurableRingRegisterTest {

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
                settings -> settings.defaultDataDir(node -> dir.resolve(node.toString())).set("http-port", "0"));
    }

    @Test
    void aCommittedRingSurvivesAStopAndAStart() throws Exception {
        int basePort = Ports.freeBasePort(3);
        cluster = start(basePort);
        RingState first = cluster.servers().get(0).node().rings().state();
        byte[] next = RingStateCodec.encode(new RingState(first.epoch() + 1, first.current(), null));

        Committed committed = cluster.servers().get(0).node().ringRegister().propose(first.epoch(), next)
                .get(30, TimeUnit.SECONDS);

        assertThat(committed.epoch()).isEqualTo(2);
        await().atMost(30, TimeUnit.SECONDS).until(() -> cluster.servers().stream()
                .allMatch(server -> server.node().ringRegister().current().equals(committed)));
        cluster.close();
        for (int node = 1; node <= 3; node++) {
            assertThat(dir.resolve("n" + node).resolve("ring-register")).exists();
            assertThat(Files.exists(dir.resolve("n" + node).resolve("ring-register.tmp"))).isFalse();
        }

        cluster = start(basePort);
        for (NodeServer server : cluster.servers()) {
            assertThat(server.node().ringRegister().current()).as("ring on %s", server.id()).isEqualTo(committed);
            assertThat(server.node().rings().epoch()).as("the epoch %s routes by", server.id()).isEqualTo(2);
        }
    }
}
