package io.dkv.cli.check;

import io.dkv.cli.Dkv;
import io.dkv.server.LocalCluster;
import io.dkv.testkit.Ports;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code dkv check} through the real command line: against a healthy in-JVM cluster, and its argument checks. */
class CheckCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void aHealthyClusterAtQuorumGivesACleanHistory() {
        int basePort = Ports.freeBasePort(3);
        try (LocalCluster ignored = LocalCluster.start(3, 3, basePort)) {
            int exit = execute("check", "-p", basePort + "," + (basePort + 1) + "," + (basePort + 2),
                    "--seconds", "2", "--keys", "5", "--clients", "3", "--settle-seconds", "10");
            List<String> lines = out.toString().lines().toList();
            assertThat(lines.get(lines.size() - 1)).as(out.toString() + err).isEqualTo("lost: 0, stale: 0, corrupt: 0, divergent: 0");
            assertThat(exit).isZero();
            assertThat(out.toString()).contains("3 node(s) (RF 3), read QUORUM, write QUORUM, nemesis none")
                    .contains("faults injected: 0").contains("settle: 5 of 5 keys with all replicas agreeing")
                    .containsPattern("ops: [1-9][0-9]* in ");
        }
    }

    @Test
    void aNemesisNeedsTheClusterFolder() {
        assertThat(execute("check", "--nemesis", "kill")).isEqualTo(2);
        assertThat(err.toString()).contains("--nemesis needs --dir");
    }

    @Test
    void unknownFaultsAndLevelsAreUsageErrors() {
        assertThat(execute("check", "--dir", "/nonexistent", "--nemesis", "kill,flood")).isEqualTo(2);
        assertThat(err.toString()).contains("flood");
        assertThat(execute("check", "--read", "MOST")).isEqualTo(2);
        assertThat(err.toString()).contains("MOST");
        assertThat(execute("check", "--seconds", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("must be positive");
    }

    private int execute(String... args) {
        CommandLine commandLine = Dkv.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
