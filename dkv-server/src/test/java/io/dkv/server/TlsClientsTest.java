package io.dkv.server;

import io.dkv.testkit.Ports;
import io.dkv.testkit.TestCertificates;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Clients on {@code tls-port}: redis-cli {@code --tls} and Jedis over TLS set and get; a
 * plain-text client is closed and the node goes on; with {@code tls-auth-clients} (on by
 * default with an authority) a client without a certificate from it is refused. One node uses
 * OpenSSL when it loads, the other the JDK's TLS, so both providers serve redis-cli and Jedis;
 * the second has its plain port off ({@code resp-port 0}).
 */
class TlsClientsTest {

    @TempDir
    static Path dir;
    private static TestCertificates.Authority ca;
    private static TestCertificates.Issued client;
    private static TestCertificates.Issued stranger;
    /** Client certificates required (the default with tls-ca-cert-file). */
    private static LocalCluster strict;
    /** tls-auth-clients optional, on the JDK's TLS, with no plain port (resp-port 0). */
    private static LocalCluster open;
    private static int strictPort;
    private static int openPort;

    @BeforeAll
    static void start() {
        ca = TestCertificates.authority("ca", dir);
        TestCertificates.Issued node = ca.issue("node");
        client = ca.issue("client");
        stranger = TestCertificates.authority("other-ca", dir).issue("stranger");
        int strictBase = Ports.freeBasePort(1);
        strict = LocalCluster.start(1, 1, strictBase, builder -> builder
                .set("tls-cert-file", node.certFile().toString())
                .set("tls-key-file", node.keyFile().toString())
                .set("tls-ca-cert-file", ca.certFile().toString()));
        strictPort = strictBase + 3000;
        int openBase = Ports.freeBasePort(1);
        System.setProperty("dkv.tls.jdk", "true");
        try {
            open = LocalCluster.start(1, 1, openBase, builder -> builder
                    .set("tls-cert-file", node.certFile().toString())
                    .set("tls-key-file", node.keyFile().toString())
                    .set("tls-ca-cert-file", ca.certFile().toString())
                    .set("tls-auth-clients", "optional")
                    .set("resp-port", "0"));
        } finally {
            System.clearProperty("dkv.tls.jdk");
        }
        openPort = openBase + 3000;
    }

    @AfterAll
    static void stop() {
        if (strict != null) {
            strict.close();
        }
        if (open != null) {
            open.close();
        }
    }

    @Test
    void redisCliSetsAndGetsOverTls() throws Exception {
        List<String> withCertificate = List.of("--tls", "--cacert", ca.certFile().toString(),
                "--cert", client.certFile().toString(), "--key", client.keyFile().toString());
        assertThat(redisCli(strictPort, withCertificate, "SET", "cli", "over-tls")).isEqualTo("OK\n");
        assertThat(redisCli(strictPort, withCertificate, "GET", "cli")).isEqualTo("over-tls\n");
        assertThat(redisCli(strictPort, withCertificate, "INFO", "dkv")).contains("tls_port:" + strictPort);

        List<String> authorityOnly = List.of("--tls", "--cacert", ca.certFile().toString());
        assertThat(redisCli(openPort, authorityOnly, "SET", "cli", "no-client-cert")).isEqualTo("OK\n");
        assertThat(redisCli(openPort, authorityOnly, "GET", "cli")).isEqualTo("no-client-cert\n");
        assertThat(redisCli(strictPort, authorityOnly, "PING")).as("no client certificate where one is required")
                .doesNotContain("PONG");
    }

    @Test
    void jedisSetsAndGetsOverTls() {
        try (Jedis jedis = jedis(strictPort, client)) {
            assertThat(jedis.set("jedis", "over-tls")).isEqualTo("OK");
            assertThat(jedis.get("jedis")).isEqualTo("over-tls");
            assertThat(jedis.configGet("tls-port")).containsEntry("tls-port", String.valueOf(strictPort));
        }
        try (Jedis jedis = jedis(openPort, null)) {
            assertThat(jedis.set("jedis", "jdk-tls")).isEqualTo("OK");
            assertThat(jedis.get("jedis")).isEqualTo("jdk-tls");
            assertThat(jedis.configGet("port")).as("no plain port").containsEntry("port", "0");
        }
        assertThat(open.servers().get(0).respPort()).isZero();
    }

    @Test
    void aClientWithoutACertificateFromTheAuthorityIsRefusedWhenTlsAuthClientsIsYesOrOptional() {
        // TLS 1.3: the client finishes its side before the node checks its certificate, so it hears
        // of the refusal as the node's alert (certificate_required) or as the closed connection.
        assertThatThrownBy(() -> ping(strictPort, null)).isInstanceOf(JedisConnectionException.class);
        assertThatThrownBy(() -> ping(strictPort, stranger)).as("a certificate from another authority")
                .isInstanceOf(JedisConnectionException.class);
        try (Jedis jedis = jedis(strictPort, client)) {
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
        assertThat(ping(openPort, null)).as("optional: no certificate is fine").isEqualTo("PONG");
        assertThat(ping(openPort, client)).isEqualTo("PONG");
    }

    @Test
    void aPlainTextClientOnTheTlsPortIsClosedAndTheNodeGoesOn() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            for (int port : new int[] {strictPort, openPort}) {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setSoTimeout(10_000);
                    OutputStream out = socket.getOutputStream();
                    out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertThat(readToEnd(socket.getInputStream())).as("closed without an answer").doesNotContain("PONG");
                }
            }
        }
        try (Jedis jedis = jedis(strictPort, client)) {
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
        try (Jedis plain = new Jedis(new HostAndPort("127.0.0.1", strict.servers().get(0).respPort()))) {
            assertThat(plain.set("plain", "still")).as("the plain port keeps working").isEqualTo("OK");
            assertThat(plain.get("plain")).isEqualTo("still");
        }
    }

    private static String ping(int port, TestCertificates.Issued certificate) {
        try (Jedis jedis = jedis(port, certificate)) {
            return jedis.ping();
        }
    }

    /** Jedis over TLS trusting the test authority, showing {@code certificate} when given. */
    static Jedis jedis(int port, TestCertificates.Issued certificate) {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                .ssl(true).sslSocketFactory(socketFactory(ca, certificate)).timeoutMillis(10_000).build());
    }

    /** A JDK socket factory trusting {@code authority}, presenting {@code certificate} when given. */
    static SSLSocketFactory socketFactory(TestCertificates.Authority authority, TestCertificates.Issued certificate) {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(authority.certFile().toFile());
        if (certificate != null) {
            builder.keyManager(certificate.certFile().toFile(), certificate.keyFile().toFile());
        }
        try {
            return ((JdkSslContext) builder.build()).context().getSocketFactory();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readToEnd(InputStream in) throws IOException {
        try {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (SocketException e) {
            return "(reset: " + e.getMessage() + ")";
        }
    }

    static String redisCli(int port, List<String> tls, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
        command.addAll(tls);
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return output;
    }
}
