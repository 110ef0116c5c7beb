package io.dkv.cli;

import io.dkv.server.LocalCluster;
import io.dkv.testkit.Ports;
import io.dkv.testkit.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code dkv} client commands over TLS, against a 3-node cluster that asks clients for a
 * certificate and whose peers talk over mutual TLS: each takes {@code --tls --cacert --cert
 * --key} like redis-cli, and without a client certificate is refused.
 */
class TlsClientTest {

    private final InProcessDkv dkv = new InProcessDkv();

    @TempDir
    static Path dir;
    private static LocalCluster cluster;
    private static int tlsPort;
    private static List<String> tls;
    private static TestCertificates.Authority ca;

    @BeforeAll
    static void start() {
        ca = TestCertificates.authority("ca", dir);
        TestCertificates.Issued node = ca.issue("node");
        TestCertificates.Issued client = ca.issue("client");
        int base = Ports.freeBasePort(3);
        cluster = LocalCluster.start(3, 3, base, builder -> builder
                .set("tls-cert-file", node.certFile().toString())
                .set("tls-key-file", node.keyFile().toString())
                .set("tls-ca-cert-file", ca.certFile().toString())
                .set("tls-cluster", "yes"));
        tlsPort = base + 3000;
        tls = List.of("--tls", "--cacert", ca.certFile().toString(), "--cert", client.certFile().toString(),
                "--key", client.keyFile().toString());
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }


    @Test
    void putGetDelStatusAndReplicasSpeakTls() {
        String p = String.valueOf(tlsPort);
        assertThat(run(with("put", "-p", p, "k", "v"))).as(err()).isZero();
        assertThat(run(with("get", "-p", String.valueOf(tlsPort + 1), "k"))).as(err()).isZero();
        assertThat(stdout()).isEqualTo("v");
        assertThat(run(with("replicas", "-p", p, "k"))).as(err()).isZero();
        assertThat(run(with("status", "-p", p))).as(err()).isZero();
        assertThat(stdout()).contains("n1").contains("n3");
        assertThat(run(with("del", "-p", p, "k"))).as(err()).isZero();
    }

    @Test
    void benchAndCheckSpeakTls() {
        String p = String.valueOf(tlsPort);
        assertThat(run(with("bench", "-p", p, "--requests", "300", "--clients", "2", "--keys", "10")))
                .as(dkv.out() + dkv.err()).isZero();
        assertThat(dkv.out()).contains("errors       0");
        assertThat(run(with("check", "-p", p + "," + (tlsPort + 2), "--seconds", "1", "--keys", "3", "--clients", "2",
                "--settle-seconds", "10"))).as(dkv.out() + dkv.err()).isZero();
        assertThat(dkv.out().lines().toList()).last().isEqualTo("lost: 0, stale: 0, corrupt: 0, divergent: 0");
    }

    @Test
    void withoutTheClientCertificateOrWithoutTlsTheNodeRefuses() {
        String p = String.valueOf(tlsPort);
        assertThat(run("get", "-p", p, "--tls", "--cacert", ca.certFile().toString(), "k")).isEqualTo(2);
        assertThat(run("get", "-p", p, "--timeout-ms", "2000", "k")).as("plain text on the TLS port").isEqualTo(2);
        assertThat(run("get", "-p", p, "--cacert", ca.certFile().toString(), "k")).isEqualTo(2);
        assertThat(err()).contains("--cacert, --cert and --key need --tls");
        assertThat(run("get", "-p", p, "--tls", "--cacert", dir.resolve("missing.crt").toString(), "k")).isEqualTo(2);
        assertThat(err()).contains("--cacert " + dir.resolve("missing.crt") + ": no such file");
    }

    private static String[] with(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(1, tls);
        return all.toArray(String[]::new);
    }

    private int run(String... args) {
        return dkv.run(args);
    }

    private String stdout() {
        return dkv.stdout();
    }

    private String err() {
        return dkv.err();
    }
}
