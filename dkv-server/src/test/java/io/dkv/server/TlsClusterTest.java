package io.dkv.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dkv.server.config.SettingsBuilder;
import io.dkv.testkit.Ports;
import io.dkv.testkit.TestCertificates;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code tls-cluster yes}: three nodes whose peers talk over mutual TLS serve QUORUM and ALL
 * writes and reads on any node; a node whose certificate comes from another authority is
 * refused in both directions (the log says why), so writes that need it fail and QUORUM
 * writes go on without it; a plain-text connection to the internode port is closed.
 */
class TlsClusterTest {

    @TempDir
    static Path dir;
    private static TestCertificates.Authority ca;
    private static TestCertificates.Authority otherCa;
    private LocalCluster cluster;
    private ListAppender<ILoggingEvent> log;

    @BeforeAll
    static void certificates() {
        ca = TestCertificates.authority("cluster-ca", dir);
        otherCa = TestCertificates.authority("other-ca", dir);
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (log != null) {
            ((Logger) LoggerFactory.getLogger("io.dkv.server.net.TlsHandshakeWatch")).detachAppender(log);
        }
    }

    /** Each node gets its own certificate, from {@code authorityOf} its number, and trusts the cluster's authority. */
    private static Consumer<SettingsBuilder> mutualTls(Map<Integer, TestCertificates.Authority> authorityOf) {
        AtomicInteger number = new AtomicInteger();
        return builder -> {
            int node = number.incrementAndGet();
            TestCertificates.Issued certificate = authorityOf.getOrDefault(node, ca).issue("n" + node);
            builder.set("tls-cert-file", certificate.certFile().toString())
                    .set("tls-key-file", certificate.keyFile().toString())
                    .set("tls-ca-cert-file", ca.certFile().toString())
                    .set("tls-cluster", "yes");
        };
    }

    @Test
    void peersOverMutualTlsServeQuorumAndAllOnEveryNode() throws IOException {
        int base = Ports.freeBasePort(3);
        cluster = LocalCluster.start(3, 3, base, mutualTls(Map.of()));

        try (Jedis n1 = jedis(base); Jedis n2 = jedis(base + 1); Jedis n3 = jedis(base + 2)) {
            assertThat(n1.set("k", "v1")).isEqualTo("OK");
            assertThat(n2.get("k")).isEqualTo("v1");
            assertThat(n3.get("k")).isEqualTo("v1");
            consistency(n3, "ALL");
            assertThat(n3.set("k", "v3")).as("ALL needs every peer, over TLS").isEqualTo("OK");
            consistency(n1, "ALL");
            assertThat(n1.get("k")).isEqualTo("v3");
            assertThat(n1.info("dkv")).contains("peer_auth:tls-cluster");
        }
        try (Socket plain = new Socket("127.0.0.1", base + 1000)) {
            plain.setSoTimeout(10_000);
            OutputStream out = plain.getOutputStream();
            out.write("not a TLS client hello, nor a dkv handshake".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(plain.getInputStream().read()).as("a plain-text peer is closed").isEqualTo(-1);
        }
        try (Jedis n2 = jedis(base + 1)) {
            consistency(n2, "ALL");
            assertThat(n2.set("k", "after")).isEqualTo("OK");
        }
    }

    @Test
    void tlsAndAClusterSecretTogether() {
        int base = Ports.freeBasePort(3);
        Consumer<SettingsBuilder> tls = mutualTls(Map.of());
        cluster = LocalCluster.start(3, 3, base, builder -> {
            tls.accept(builder);
            builder.set("cluster-secret", "a-secret-of-at-least-16-characters");
        });

        try (Jedis n2 = jedis(base + 1)) {
            consistency(n2, "ALL");
            assertThat(n2.set("k", "both")).isEqualTo("OK");
            assertThat(n2.get("k")).isEqualTo("both");
            assertThat(n2.info("dkv")).contains("peer_auth:tls-cluster+cluster-secret");
        }
    }

    @Test
    void aNodeWithACertificateFromAnotherAuthorityIsRefusedBothWays() {
        log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger("io.dkv.server.net.TlsHandshakeWatch")).addAppender(log);
        int base = Ports.freeBasePort(3);
        cluster = LocalCluster.start(3, 3, base, mutualTls(Map.of(3, otherCa)));

        try (Jedis n1 = jedis(base); Jedis n3 = jedis(base + 2)) {
            assertThat(n1.set("k", "quorum")).as("n1 and n2 are a quorum without n3").isEqualTo("OK");
            assertThat(n1.get("k")).isEqualTo("quorum");
            consistency(n1, "ALL");
            assertThatThrownBy(() -> n1.set("k", "all")).as("ALL needs n3, which n1 refuses")
                    .isInstanceOf(JedisDataException.class).hasMessageStartingWith("NOREPLICAS");
            assertThatThrownBy(() -> n3.set("k", "from-n3")).as("n3 reaches no peer for its quorum")
                    .isInstanceOf(JedisDataException.class).hasMessageStartingWith("NOREPLICAS");
        }
        Awaitility.await("both sides log why").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("n1: TLS handshake with n3 at ")
                    .contains("failed, connection closed"));
            assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("n3: TLS handshake with n1 at ")
                    .contains("failed, connection closed"));
            assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("n1: TLS handshake with peer"));
        });
    }

    private static void consistency(Jedis jedis, String level) {
        assertThat(jedis.sendCommand(() -> "DKV.CONSISTENCY".getBytes(StandardCharsets.US_ASCII), level)).isNotNull();
    }

    private static Jedis jedis(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port));
    }
}
