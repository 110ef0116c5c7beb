package io.dkv.cli;

import io.dkv.cli.ChildProcesses.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code dkv cluster up --set requirepass=...} as node processes: {@code cluster up|status|start}
 * check the nodes with {@code -a}, redis-cli and the {@code dkv} client commands need the
 * password, and a node restarted by {@code cluster start} is waited for with it.
 */
class PasswordClusterIT {

    private static final String PASSWORD = "it-secret";

    private static ProcessCluster cluster;

    @BeforeAll
    static void clusterUp() {
        cluster = ProcessCluster.up("password-cluster-it", 3, "--set", "requirepass=" + PASSWORD, "-a", PASSWORD);
    }

    @AfterAll
    static void clusterDown() {
        if (cluster != null) {
            cluster.down();
        }
    }

    @Test
    void clientsNeedThePasswordAndTheClusterCommandsUseIt() {
        String port = String.valueOf(cluster.respPort(1));
        Result noPassword = cluster.dkv("put", "-p", port, "k", "v");
        assertThat(noPassword.exitCode()).as(noPassword.describe()).isEqualTo(2);
        assertThat(noPassword.stderr()).contains("NOAUTH Authentication required.");

        Result put = cluster.dkv("put", "-p", port, "-a", PASSWORD, "k", "v");
        assertThat(put.exitCode()).as(put.describe()).isZero();
        Result redisCli = ChildProcesses.run(cluster.workDir(), List.of("redis-cli", "-p", String.valueOf(cluster.respPort(2)),
                "-a", PASSWORD, "--no-auth-warning", "GET", "k"));
        assertThat(redisCli.stdout()).as(redisCli.describe()).isEqualTo("v\n");
        Result redisCliNoAuth = ChildProcesses.run(cluster.workDir(), List.of("redis-cli", "-p", String.valueOf(cluster.respPort(2)),
                "GET", "k"));
        assertThat(redisCliNoAuth.stdout()).as(redisCliNoAuth.describe()).startsWith("NOAUTH Authentication required.");

        Result statusWithout = cluster.dkv("cluster", "status", "--dir", cluster.dir().toString());
        assertThat(statusWithout.stdout()).as("answering needs the password").contains("yes    no");
        Result status = cluster.dkv("cluster", "status", "--dir", cluster.dir().toString(), "-a", PASSWORD);
        assertThat(status.stdout()).as(status.describe()).doesNotContain("yes    no");

        cluster.cluster("stop", "n3");
        cluster.cluster("start", "n3", "-a", PASSWORD);
        Result get = cluster.dkv("get", "-p", String.valueOf(cluster.respPort(3)), "-a", PASSWORD, "k");
        assertThat(get.exitCode()).as(get.describe()).isZero();
        assertThat(get.stdout()).isEqualTo("v");
    }
}
