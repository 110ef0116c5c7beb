package io.dkv.server;

import io.dkv.core.NodeId;
import io.dkv.server.config.NodeSettings;
import io.dkv.server.config.SettingsBuilder;
import io.dkv.server.config.TlsSettings;
import io.dkv.testkit.Ports;
import io.dkv.testkit.TestCertificates;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node joins a cluster whose only client ports are TLS and require client certificates
 * ({@code resp-port 0}, {@code tls-auth-clients} on by default with an authority): with
 * {@code tls-join} its DKV.JOIN goes over TLS, showing its own certificate, as a Redis replica
 * reaches its master with {@code tls-replication}.
 */
class TlsJoinTest {

    @TempDir
    Path dir;

    @Test
    void aNodeJoinsThroughAMembersTlsOnlyClientPort() {
        TestCertificates.Authority ca = TestCertificates.authority("ca", dir);
        TestCertificates.Issued certificate = ca.issue("node");
        UnaryOperator<SettingsBuilder> tlsOnly = builder -> builder.set("partitions", "64").set("resp-port", "0")
                .set("tls-cert-file", certificate.certFile().toString())
                .set("tls-key-file", certificate.keyFile().toString())
                .set("tls-ca-cert-file", ca.certFile().toString());
        int basePort = Ports.freeBasePort(4);
        try (LocalCluster cluster = LocalCluster.start(3, 3, basePort, tlsOnly::apply)) {
            int memberTlsPort = basePort + TlsSettings.PORT_OFFSET;
            NodeSettings joining = tlsOnly.apply(new SettingsBuilder().set("node", "n4").set("nodes", "3")
                            .set("replicas", "3").set("base-port", String.valueOf(basePort)))
                    .set("join", "127.0.0.1:" + memberTlsPort).set("tls-join", "yes").nodesInProcess(4).build();
            try (NodeServer n4 = NodeServer.start(joining, cluster.runtime())) {
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                        !n4.node().rings().state().moving() && n4.node().rings().state().current().nodes()
                                .contains(NodeId.of(4)));
                assertThat(cluster.server(NodeId.of(1)).node().rings().state().allNodes()).contains(NodeId.of(4));
            }
        }
    }
}
