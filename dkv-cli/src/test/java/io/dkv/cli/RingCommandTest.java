package io.dkv.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code dkv ring} through the real command line: the figures it prints and their bounds. */
class RingCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void printsBalanceAndWhatMovesOnLossJoinAndLeave() {
        assertThat(execute("ring", "--nodes", "100", "--replicas", "3", "--keys", "200000")).isEqualTo(0);
        Map<String, String> lines = lines(out.toString());

        assertThat(lines).containsKeys("max/mean", "min/mean", "stddev/mean", "moved on node loss", "moved on join",
                "moved on leave", "lookups/s");
        assertThat(lines.get("moved on join")).endsWith("(ideal 0.00990)");
        assertThat(lines.get("moved on leave")).endsWith("(ideal 0.01000)");
        assertThat(figure(lines.get("moved on join"))).isBetween(0.9 / 101, 1.1 / 101);
        assertThat(figure(lines.get("moved on leave"))).isBetween(0.9 / 100, 1.1 / 100);
        assertThat(figure(lines.get("max/mean"))).isLessThanOrEqualTo(1.05);
    }

    @Test
    void takesThePartitionCountAndRefusesTheOldOption() {
        assertThat(execute("ring", "--nodes", "3", "--replicas", "3", "--keys", "1000", "--partitions", "16")).isEqualTo(0);
        assertThat(out.toString()).contains("moved on leave: - (N = RF: no node can leave)");
        assertThat(execute("ring", "--nodes", "3", "--replicas", "3", "--partitions-per-node", "16")).isEqualTo(2);
        assertThat(err.toString()).contains("--partitions-per-node");
    }

    private static Map<String, String> lines(String text) {
        Map<String, String> lines = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            lines.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return lines;
    }

    private static double figure(String value) {
        return Double.parseDouble(value.split(" ")[0]);
    }

    private int execute(String... args) {
        CommandLine commandLine = Dkv.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
