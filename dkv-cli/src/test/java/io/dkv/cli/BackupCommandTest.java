package io.dkv.cli;

import io.dkv.server.LocalCluster;
import io.dkv.testkit.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code dkv backup} through the real command line: its argument errors, a refusal, and a backup. */
class BackupCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void argumentErrorsAreUsageErrors() {
        assertThat(execute("backup")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'DIR'");
        assertThat(execute("backup", "relative/dir")).isEqualTo(2);
        assertThat(err.toString()).contains("DIR must be an absolute path").contains("'relative/dir'");
        assertThat(execute("backup", "-p", "seventy", "/tmp/x")).isEqualTo(2);
        assertThat(err.toString()).contains("seventy");
        assertThat(execute("backup", "/tmp/a", "/tmp/b")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument");
    }

    @Test
    void aNodeThatCannotBeReachedIsAClearError() {
        int port = Ports.freeBasePort(1);
        assertThat(execute("backup", "-p", String.valueOf(port), dir.resolve("b").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("error: cannot connect to 127.0.0.1:" + port);
    }

    @Test
    void backsUpANodeAndPassesOnItsRefusals() throws Exception {
        int basePort = Ports.freeBasePort(1);
        try (LocalCluster ignored = LocalCluster.start(1, 1, basePort,
                settings -> settings.set("data-dir", dir.resolve("data").toString()).set("http-port", "0"))) {
            Path backup = dir.resolve("backup");
            assertThat(execute("backup", "-p", String.valueOf(basePort), backup.toString())).as(err.toString()).isZero();
            assertThat(out.toString()).contains("backed up 127.0.0.1:" + basePort + " to " + backup);
            assertThat(backup.resolve("restored-backup")).exists();

            assertThat(execute("backup", "-p", String.valueOf(basePort), backup.toString())).isEqualTo(2);
            assertThat(err.toString()).contains("error: ERR n1: cannot back up to " + backup
                    + ": it exists and is not empty");
            assertThat(Files.list(backup).count()).isGreaterThan(1);
        }
    }

    private int execute(String... args) {
        CommandLine commandLine = Dkv.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
