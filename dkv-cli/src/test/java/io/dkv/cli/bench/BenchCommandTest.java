package io.dkv.cli.bench;

import io.dkv.cli.client.ClientTls;
import io.dkv.cli.client.Credentials;
import io.dkv.cli.Dkv;
import io.dkv.core.Consistency;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Argument checking of {@code dkv bench}, through the real command line; nothing here sends load. */
class BenchCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void malformedRatio() {
        assertThat(execute("bench", "--requests", "10", "--ratio", "nine")).isEqualTo(2);
        assertThat(err.toString()).contains("--ratio must be GET:SET as two whole numbers, e.g. 1:1 or 9:1, not 'nine'");
    }

    @Test
    void noClients() {
        assertThat(execute("bench", "--requests", "10", "--clients", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--clients (0) must be at least 1");
    }

    @Test
    void bothDurationAndRequests() {
        assertThat(execute("bench", "--requests", "10", "--duration", "5")).isEqualTo(2);
        assertThat(err.toString()).contains("--duration=SECONDS, --requests=R are mutually exclusive");
    }

    @Test
    void neitherDurationNorRequests() {
        assertThat(execute("bench", "--clients", "4")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required argument").contains("--duration=SECONDS").contains("--requests=R");
    }

    @Test
    void limitsAndDepthsMustBePositive() {
        assertThat(execute("bench", "--duration", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--duration (0.0) must be a positive number of seconds");

        assertThat(execute("bench", "--requests", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--requests (0) must be at least 1");

        assertThat(execute("bench", "--requests", "1", "--pipeline", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--pipeline (0) must be at least 1");

        assertThat(execute("bench", "--requests", "1", "--keys", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--keys (0) must be at least 1");
    }

    @Test
    void unknownConsistencyNamesTheChoices() {
        assertThat(execute("bench", "--requests", "1", "--consistency", "MOST")).isEqualTo(2);
        assertThat(err.toString()).contains("--consistency").contains("ONE, QUORUM, ALL");
    }

    @Test
    void validOptionsMakeAPlan() {
        CommandLine commandLine = Dkv.commandLine();
        CommandLine.ParseResult parsed = commandLine.parseArgs("bench", "-h", "10.0.0.5", "-p", "6379", "--clients", "8",
                "--keys", "500", "--value-size", "1024", "--ratio", "9:1", "--duration", "2.5", "--consistency", "all",
                "--pipeline", "4", "--seed", "99", "--threads", "3");
        BenchCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();

        assertThat(command.plan()).isEqualTo(new BenchPlan("10.0.0.5", 6379, 8, 4, Consistency.ALL,
                new Workload(500, 1024, new Ratio(9, 1), 99), new RunLimit.Timed(Duration.ofMillis(2_500)),
                Duration.ofSeconds(10), 3, Credentials.NONE, ClientTls.NONE, 0, Duration.ZERO));
    }

    @Test
    void warmupRunsBeforeTheMeasuredDurationAndNeedsOne() {
        CommandLine.ParseResult parsed = Dkv.commandLine().parseArgs("bench", "--duration", "20", "--warmup", "2.5");
        BenchPlan plan = ((BenchCommand) parsed.subcommand().commandSpec().commandLine().getCommand()).plan();
        assertThat(plan.warmup()).isEqualTo(Duration.ofMillis(2_500));
        assertThat(plan.limit()).isEqualTo(new RunLimit.Timed(Duration.ofSeconds(20)));

        assertThat(execute("bench", "--requests", "100", "--warmup", "2")).isEqualTo(2);
        assertThat(err.toString()).contains("--warmup works with --duration, not --requests");
        assertThat(execute("bench", "--duration", "1", "--warmup", "-1")).isEqualTo(2);
        assertThat(err.toString()).contains("--warmup (-1.0) must be a positive number of seconds, or 0");
    }

    @Test
    void rateMakesAnOpenLoopWithTheConnectionsTakingTurns() {
        CommandLine.ParseResult parsed = Dkv.commandLine().parseArgs("bench", "--requests", "100", "--clients", "4",
                "--rate", "1000");
        BenchPlan plan = ((BenchCommand) parsed.subcommand().commandSpec().commandLine().getCommand()).plan();

        assertThat(plan.openLoop()).isTrue();
        assertThat(plan.firstDueNanos(0, 5_000)).isEqualTo(5_000);
        assertThat(plan.firstDueNanos(3, 5_000)).as("1 ms apart in all").isEqualTo(5_000 + 3_000_000);
        Pacing pacing = plan.pacing();
        pacing.startAt(0);
        assertThat(pacing.take(0)).isZero();
        assertThat(pacing.due(3_999_999)).as("each connection has a quarter of the rate: every 4 ms").isFalse();
        assertThat(pacing.due(4_000_000)).isTrue();
    }

    @Test
    void rateMustBePositive() {
        assertThat(execute("bench", "--requests", "1", "--rate", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--rate (0.0) must be a positive number of requests per second");
        assertThat(execute("bench", "--requests", "1", "--rate", "5e9")).isEqualTo(2);
        assertThat(err.toString()).contains("--rate (5.0E9) must be");
    }

    @Test
    void consistencyIsNotSentUnlessAsked() {
        CommandLine.ParseResult parsed = Dkv.commandLine().parseArgs("bench", "--requests", "100");
        BenchCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();

        assertThat(command.plan().consistency()).isNull();
        assertThat(command.plan().limit()).isEqualTo(new RunLimit.Requests(100));
    }

    @Test
    void nothingListeningIsOneClearLine() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }

        assertThat(execute("bench", "-p", String.valueOf(port), "--requests", "10", "--clients", "2")).isEqualTo(2);
        assertThat(err.toString()).contains("error: cannot connect to 127.0.0.1:" + port);
        assertThat(out.toString()).isEmpty();
    }

    private int execute(String... args) {
        err.getBuffer().setLength(0);
        return Dkv.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
    }
}
