package io.dkv.cli;

import io.dkv.cli.client.Credentials;
import io.dkv.cli.cluster.ClusterDirectory;
import io.dkv.core.NodeId;
import io.dkv.server.LocalCluster;
import io.dkv.testkit.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code dkv} client commands against a 3-node cluster that needs a password: each takes
 * {@code --user} / {@code -a} (or {@code --pass}) like redis-cli, and without them gets
 * the server's NOAUTH.
 */
class PasswordClientTest {

    private final InProcessDkv dkv = new InProcessDkv();

    private static LocalCluster cluster;
    private static int port;

    @BeforeAll
    static void start() {
        port = Ports.freeBasePort(3);
        cluster = LocalCluster.start(3, 3, port, builder -> builder.set("requirepass", "secret")
                .set("users", "user app on >apass ~app:* +@all;user reader on >rpass ~* +@read +@connection"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }


    @Test
    void putGetDelTakeAPasswordOrAUser() {
        String p = String.valueOf(port);
        assertThat(run("put", "-p", p, "k", "v")).isEqualTo(2);
        assertThat(err()).contains("NOAUTH Authentication required.");
        assertThat(run("put", "-p", p, "-a", "wrong", "k", "v")).isEqualTo(2);
        assertThat(err()).contains("AUTH refused: WRONGPASS invalid username-password pair or user is disabled.");

        assertThat(run("put", "-p", p, "-a", "secret", "k", "v")).isZero();
        assertThat(run("get", "-p", p, "--pass", "secret", "k")).isZero();
        assertThat(stdout()).isEqualTo("v");
        assertThat(run("put", "-p", p, "--user", "app", "-a", "apass", "app:1", "one")).isZero();
        assertThat(run("put", "-p", p, "--user", "app", "-a", "apass", "other", "x")).isEqualTo(2);
        assertThat(err()).contains("NOPERM No permissions to access a key");
        assertThat(run("del", "-p", p, "--user", "reader", "-a", "rpass", "k")).isEqualTo(2);
        assertThat(err()).contains("NOPERM User reader has no permissions to run the 'del' command");
        assertThat(run("del", "-p", p, "-a", "secret", "k")).isZero();
        assertThat(run("get", "-p", p, "--user", "reader", "k")).isEqualTo(2);
        assertThat(err()).contains("--user reader needs a password");
    }

    @Test
    void statusReplicasBenchAndCheckAuthenticateToo() {
        String p = String.valueOf(port);
        assertThat(run("status", "-p", p, "-a", "secret")).isZero();
        assertThat(stdout()).contains("n1").contains("n3");
        assertThat(run("replicas", "-p", p, "--user", "reader", "-a", "rpass", "somekey")).isZero();
        assertThat(run("bench", "-p", p, "--requests", "200", "--clients", "2", "--user", "app", "-a", "apass",
                "--keys", "10")).as(dkv.out() + dkv.err()).isZero();
        assertThat(dkv.out()).contains("errors       200");
        assertThat(run("bench", "-p", p, "--requests", "200", "--clients", "2", "-a", "secret", "--consistency", "ONE"))
                .isZero();
        assertThat(dkv.out()).contains("errors       0");
        assertThat(run("bench", "-p", p, "--requests", "10", "--clients", "1", "-a", "wrong")).isEqualTo(2);
        assertThat(dkv.err()).contains("refused AUTH: WRONGPASS");
        assertThat(run("check", "-p", p, "-a", "secret", "--seconds", "1", "--keys", "3", "--clients", "1",
                "--settle-seconds", "10")).as(dkv.out() + dkv.err()).isZero();
        assertThat(dkv.out().lines().toList()).last().isEqualTo("lost: 0, stale: 0, corrupt: 0, divergent: 0");
    }

    @Test
    void theClusterFolderAsksItsNodesWithTheCredentials(@TempDir Path dir) throws IOException {
        ClusterDirectory folder = ClusterDirectory.create(dir, 3, 3, "127.0.0.1", port);
        assertThat(folder.answersPing(NodeId.of(1))).as("NOAUTH is no PONG").isFalse();
        ClusterDirectory withPassword = folder.withCredentials(new Credentials(null, "secret"));
        assertThat(withPassword.answersPing(NodeId.of(2))).isTrue();
        assertThat(withPassword.recovering(NodeId.of(2))).isFalse();
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
