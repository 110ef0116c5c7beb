package io.dkv.cli;

import io.dkv.cli.ChildProcesses.Result;
import io.dkv.testkit.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code dkv cluster up} with a password, TLS for clients, the plain client port off
 * ({@code resp-port 0}) and {@code tls-cluster yes}, as three node processes: {@code cluster up}
 * checks its nodes over TLS, redis-cli {@code --tls} and the {@code dkv} client commands read and
 * write at QUORUM and ALL on any node, and each node's log names OpenSSL or the JDK as its TLS.
 */
class TlsClusterIT {

    private static final String PASSWORD = "it-secret";

    private static ProcessCluster cluster;
    private static List<String> clientTls;

    @BeforeAll
    static void clusterUp() {
        Path certificates = ChildProcesses.workDir("tls-cluster-it-certificates");
        TestCertificates.Authority ca = TestCertificates.authority("ca", certificates);
        TestCertificates.Issued node = ca.issue("node");
        TestCertificates.Issued client = ca.issue("client");
        clientTls = List.of("--tls", "--cacert", ca.certFile().toString(), "--cert", client.certFile().toString(),
                "--key", client.keyFile().toString());
        List<String> up = new ArrayList<>(List.of("-a", PASSWORD,
                "--set", "requirepass=" + PASSWORD,
                "--set", "resp-port=0",
                "--set", "tls-cert-file=" + node.certFile(),
                "--set", "tls-key-file=" + node.keyFile(),
                "--set", "tls-ca-cert-file=" + ca.certFile(),
                "--set", "tls-cluster=yes"));
        up.addAll(clientTls);
        cluster = ProcessCluster.up("tls-cluster-it", 3, up.toArray(String[]::new));
    }

    @AfterAll
    static void clusterDown() {
        if (cluster != null) {
            cluster.down();
        }
    }

    private static int tlsPort(int node) {
        return cluster.basePort() + 3000 + node - 1;
    }

    @Test
    void clientsAndPeersSpeakTlsAcrossProcesses() throws IOException {
        try (Socket plain = new Socket()) {
            assertThatThrownBy(() -> plain.connect(new InetSocketAddress("127.0.0.1", cluster.respPort(1)), 2_000))
                    .as("the plain client port is off").isInstanceOf(ConnectException.class);
        }
        List<String> statusArgs = new ArrayList<>(List.of("cluster", "status", "--dir", cluster.dir().toString(), "-a", PASSWORD));
        statusArgs.addAll(clientTls);
        Result status = cluster.dkv(statusArgs.toArray(String[]::new));
        assertThat(status.stdout()).as(status.describe()).doesNotContain("yes    no").contains(String.valueOf(tlsPort(3)));

        Result set = redisCli(1, "SET", "k", "over-tls");
        assertThat(set.stdout()).as(set.describe()).isEqualTo("OK\n");
        Result get = redisCli(3, "GET", "k");
        assertThat(get.stdout()).as(get.describe()).isEqualTo("over-tls\n");

        Result put = cluster.dkv(dkvArgs("put", "-p", String.valueOf(tlsPort(2)), "-a", PASSWORD, "all", "written"));
        assertThat(put.exitCode()).as(put.describe()).isZero();
        Result check = cluster.dkv(dkvArgs("check", "--dir", cluster.dir().toString(), "-a", PASSWORD, "--read", "ALL",
                "--write", "ALL", "--seconds", "2", "--keys", "3", "--clients", "2", "--settle-seconds", "10"));
        assertThat(check.exitCode()).as(check.describe()).isZero();
        assertThat(check.stdout()).as("ALL reads and writes need every peer, over mutual TLS")
                .contains("lost: 0, stale: 0, corrupt: 0, divergent: 0");

        for (int node = 1; node <= 3; node++) {
            String log = Files.readString(cluster.dir().resolve("n" + node).resolve("node.log"));
            assertThat(log).as("n%d's log", node).containsPattern("n" + node + " TLS by (OpenSSL|JDK)")
                    .contains("internode mutual TLS");
        }
    }

    private static String[] dkvArgs(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(1, clientTls);
        return all.toArray(String[]::new);
    }

    private static Result redisCli(int node, String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(tlsPort(node)), "-a", PASSWORD,
                "--no-auth-warning"));
        command.addAll(clientTls);
        command.addAll(List.of(args));
        return ChildProcesses.run(cluster.workDir(), command);
    }
}
