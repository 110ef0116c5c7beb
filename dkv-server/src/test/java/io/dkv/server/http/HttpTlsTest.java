package io.dkv.server.http;

import io.dkv.server.LocalCluster;
import io.dkv.testkit.Ports;
import io.dkv.testkit.TestCertificates;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * With {@code tls-http}, the HTTP port serves the dashboard, {@code /health} and {@code /metrics}
 * over HTTPS with the node's certificate, asking no client certificate even where
 * {@code tls-auth-clients} asks clients of the Redis port for one; plain HTTP gets no page.
 */
class HttpTlsTest {

    @TempDir
    static Path dir;
    private static LocalCluster cluster;
    private static int httpPort;
    private static HttpClient https;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates.Authority ca = TestCertificates.authority("ca", dir);
        TestCertificates.Issued node = ca.issue("node");
        int basePort = Ports.freeBasePort(1);
        httpPort = basePort + 2000;
        cluster = LocalCluster.start(1, 1, basePort, builder -> builder
                .set("tls-cert-file", node.certFile().toString())
                .set("tls-key-file", node.keyFile().toString())
                .set("tls-ca-cert-file", ca.certFile().toString())
                .set("tls-http", "yes"));
        JdkSslContext trustingCa = (JdkSslContext) SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(ca.certFile().toFile()).build();
        https = HttpClient.newBuilder().sslContext(trustingCa.context()).build();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void everyPageIsServedOverHttps() throws Exception {
        for (String path : new String[] {"/", "/health", "/metrics", "/api/cluster"}) {
            HttpResponse<String> response = https.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void plainHttpGetsNoPage() {
        HttpClient plain = HttpClient.newHttpClient();
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }
}
