package io.dkv.cli.cluster;

import io.dkv.cli.client.Credentials;
import io.dkv.core.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The command {@code dkv cluster add} starts a joining node with, made from a member's. */
class JoinCommandTest {

    @TempDir
    Path dir;

    private List<String> template() {
        return List.of("java", "-jar", "dkv.jar", "server", "--node", "n1", "--data-dir", dir.resolve("n1/data").toString(),
                "--pid-file", dir.resolve("n1/pid").toString(), "--set", "requirepass=s3cret");
    }

    @Test
    void theCredentialsAddChecksWithBecomeTheJoinPasswordAndUser() throws IOException {
        ClusterDirectory cluster = ClusterDirectory.create(dir, 3, 3, "127.0.0.1", 30_000);
        List<String> command = ClusterCommand.Add.joinCommand(cluster, template(), NodeId.of(4), NodeId.of(2),
                new Credentials("ops", "s3cret"));

        assertThat(command).containsSubsequence("--node", "n4")
                .containsSubsequence("--set", "join=127.0.0.1:" + cluster.clientPort(NodeId.of(2)))
                .containsSubsequence("--set", "join-user=ops", "--set", "join-password=s3cret");
        assertThat(ClusterCommand.Add.joinCommand(cluster, template(), NodeId.of(4), NodeId.of(2),
                new Credentials(null, "s3cret")))
                .contains("join-password=s3cret").noneMatch(arg -> arg.startsWith("join-user="));
    }

    @Test
    void withoutCredentialsOrWithAJoinPasswordAlreadyNamedNothingIsAdded() throws IOException {
        ClusterDirectory cluster = ClusterDirectory.create(dir, 3, 3, "127.0.0.1", 30_000);
        assertThat(ClusterCommand.Add.joinCommand(cluster, template(), NodeId.of(4), NodeId.of(1), Credentials.NONE))
                .noneMatch(arg -> arg.startsWith("join-password=") || arg.startsWith("join-user="));

        List<String> named = new java.util.ArrayList<>(template());
        named.addAll(List.of("--set", "join-password=chosen"));
        assertThat(ClusterCommand.Add.joinCommand(cluster, named, NodeId.of(4), NodeId.of(1),
                new Credentials(null, "s3cret")))
                .filteredOn(arg -> arg.startsWith("join-password=")).containsExactly("join-password=chosen");
    }
}
