package io.dkv.server;

import io.dkv.core.InvalidConfigException;
import io.dkv.core.NodeId;
import io.dkv.server.config.NodeSettings;
import io.dkv.server.config.SettingsBuilder;
import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A node joins through a member whose client port needs a password: with
 * {@code join-password} the joiner sends AUTH before DKV.JOIN (Redis's {@code masterauth}).
 */
class PasswordJoinTest {

    private static final String PASSWORD = "join-test-password";

    @Test
    void aNodeWithTheJoinPasswordJoinsAPasswordProtectedCluster() {
        int basePort = Ports.freeBasePort(4);
        try (LocalCluster cluster = LocalCluster.start(3, 3, basePort,
                settings -> settings.set("partitions", "64").set("requirepass", PASSWORD))) {
            NodeSettings joining = new SettingsBuilder().set("node", "n4").set("nodes", "3").set("replicas", "3")
                    .set("partitions", "64").set("base-port", String.valueOf(basePort)).set("requirepass", PASSWORD)
                    .set("join", "127.0.0.1:" + basePort).set("join-password", PASSWORD).nodesInProcess(4).build();
            try (NodeServer n4 = NodeServer.start(joining, cluster.runtime())) {
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                        !n4.node().rings().state().moving() && n4.node().rings().state().current().nodes()
                                .contains(NodeId.of(4)));
                assertThat(cluster.server(NodeId.of(1)).node().rings().state().allNodes()).contains(NodeId.of(4));
            }
        }
    }

    @Test
    void theJoinPasswordIsNeverPrintedAndAJoinUserNeedsOne() {
        NodeSettings settings = new SettingsBuilder().set("node", "n4").set("join", "127.0.0.1:7400")
                .set("join-user", "ops").set("join-password", PASSWORD).build();
        assertThat(settings.access().joinUser()).isEqualTo("ops");
        assertThat(settings.access().joinPassword()).isEqualTo(PASSWORD);
        assertThat(settings.toString()).doesNotContain(PASSWORD).contains("joinPassword=(set)");

        assertThatThrownBy(() -> new SettingsBuilder().set("node", "n4").set("join", "127.0.0.1:7400")
                .set("join-user", "ops").build()).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("join-user (ops) needs join-password");
    }
}
