package io.dkv.cli;

import io.dkv.server.LocalCluster;
import io.dkv.testkit.Ports;
import io.dkv.testkit.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
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

    @TempDir
    static Path dir;
    private static LocalCluster cluster;
    private static int tlsPort;
    private static List<String> tls;
    private static TestCertificates.Authority ca;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;

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

    @AfterEach
    void restoreStreams() {
        System.setOut(originalOut);
        System.setErr(originalErr);
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
        assertThat(run(with("bench", "-p", p, "--requests", "300", "--clients", "2", "--keys", "10"))).as(out + "" + err).isZero();
        assertThat(out.toString()).contains("errors       0");
        assertThat(run(with("check", "-p", p + "," + (tlsPort + 2), "--seconds", "1", "--keys", "3", "--clients", "2",
                "--settle-seconds", "10"))).as(out + "" + err).isZero();
        assertThat(out.toString().lines().toList()).last().isEqualTo("lost: 0, stale: 0, corrupt: 0, divergent: 0");
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

    /** Runs a dkv command in this JVM, capturing what it prints. */
    private int run(String... args) {
        stdout.reset();
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        CommandLine commandLine = Dkv.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        try {
            return commandLine.execute(args);
        } finally {
            System.out.flush();
            System.err.flush();
            err.write(stderr.toString(StandardCharsets.UTF_8));
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    private String stdout() {
        return stdout.toString(StandardCharsets.UTF_8).strip();
    }

    private String err() {
        return err.toString();
    }
}
