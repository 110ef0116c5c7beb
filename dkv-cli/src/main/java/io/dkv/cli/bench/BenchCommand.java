package io.dkv.cli.bench;

import io.dkv.cli.ConnectionOptions;
import io.dkv.core.Consistency;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code dkv bench}: a load generator that speaks the Redis protocol, so the same run can be
 * pointed at a dkv node or at redis-server. Live lines go to stderr, the summary to stdout.
 */
@Command(name = "bench", sortOptions = false,
        description = {"Sends GETs and SETs over C connections to one node and reports",
                "throughput and latency. Keys are key:0 .. key:K-1, drawn uniformly from",
                "--seed; every SET writes the same random value. A line per second goes to",
                "stderr; the summary (HdrHistogram percentiles) to stdout and to --json FILE.",
                "Exits 0 when the run completed (error replies are counted, not fatal),",
                "1 when every connection was lost, 2 on bad arguments or when it cannot connect."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Option(names = "--clients", defaultValue = "50", paramLabel = "C", description = "Connections (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--keys", defaultValue = "100000", paramLabel = "K", description = "Size of the key space (default ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--value-size", defaultValue = "100", paramLabel = "B", description = "Bytes per value (default ${DEFAULT-VALUE}).")
    int valueSize;

    @Option(names = "--ratio", defaultValue = "1:1", paramLabel = "GET:SET", description = "GETs to SETs, e.g. 9:1 (default ${DEFAULT-VALUE}).")
    String ratio;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Limit limit;

    /** Exactly one of {@code --duration} and {@code --requests}. */
    static final class Limit {
        @Option(names = "--duration", paramLabel = "SECONDS", required = true, description = "Send for this many seconds.")
        Double seconds;

        @Option(names = "--requests", paramLabel = "R", required = true, description = "Send R requests in all.")
        Long requests;
    }

    @Option(names = "--consistency", paramLabel = "LEVEL",
            description = "Send DKV.CONSISTENCY LEVEL (ONE, QUORUM, ALL) on each connection first; dkv only (default: none sent).")
    Consistency consistency;

    @Option(names = "--pipeline", defaultValue = "1", paramLabel = "N", description = "Requests in flight per connection (default ${DEFAULT-VALUE}).")
    int pipeline;

    @Option(names = "--rate", paramLabel = "R",
            description = {"Open loop: start R requests per second in all, spread evenly over the connections,",
                    "whatever the server does; latency counts from each request's scheduled time, so a stall",
                    "shows in the tail (no coordinated omission). Requests that find every pipeline slot busy",
                    "wait, and their wait counts. Default: closed loop, each connection sends as soon as a slot is free."})
    Double rate;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "0",
            description = {"Run the load this long first and leave it out of the figures (this client's JIT",
                    "warming up distorts the first second's tail). With --rate, the figures count the requests",
                    "due after it, on a schedule that starts then: what the warm-up fell behind is dropped, not",
                    "sent late. With --duration only (default ${DEFAULT-VALUE})."})
    double warmupSeconds;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the summary to FILE as JSON.")
    Path json;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of keys, mix and value (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "T", description = "Event loop threads (default: one per core).")
    Integer threads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        BenchPlan plan = plan();
        PrintWriter err = spec.commandLine().getErr();
        err.printf("dkv bench: %d connections to %s, pipeline %d, GET:SET %s, %d keys, %d-byte values, %s%s%s%n",
                plan.clients(), plan.target(), plan.pipeline(), plan.workload().ratio(), plan.workload().keys(),
                plan.workload().valueSize(), describe(plan.limit()),
                plan.openLoop() ? ", open loop at " + Math.round(plan.rate()) + " requests/s" : "",
                plan.warmup().isZero() ? "" : ", after " + plan.warmup().toMillis() / 1000.0 + " s of warm-up left out");
        err.flush();

        BenchRun run = new BenchRun(plan, err, System::nanoTime);
        CountDownLatch reported = new CountDownLatch(1);
        Thread interrupted = new Thread(() -> {
            run.stop();
            awaitQuietly(reported);
        }, "dkv-bench-stop");
        Runtime.getRuntime().addShutdownHook(interrupted);
        try {
            BenchSummary summary = run.run();
            SummaryReport.print(summary, spec.commandLine().getOut());
            if (json != null) {
                SummaryReport.writeJson(summary, json);
            }
            if (summary.droppedConnections() == plan.clients()) {
                err.println("error: all " + plan.clients() + " connections were lost; first error: " + summary.firstError());
                err.flush();
                return 1;
            }
            return 0;
        } finally {
            reported.countDown();
            removeQuietly(interrupted);
        }
    }

    /** Validates the options into a plan, naming the option at fault. */
    BenchPlan plan() {
        try {
            RunLimit runLimit = limit.requests != null
                    ? new RunLimit.Requests(limit.requests)
                    : new RunLimit.Timed(seconds(limit.seconds));
            Workload workload = new Workload(keys, valueSize, Ratio.parse(ratio), seed);
            return new BenchPlan(connection.host(), connection.port(), clients, pipeline, consistency, workload, runLimit,
                    connection.timeout(), threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                    connection.credentials(), connection.clientTls(), rate == null ? 0 : rateOf(rate),
                    warmup(warmupSeconds, runLimit));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private static double rateOf(double rate) {
        if (!(rate > 0)) {
            throw new IllegalArgumentException("--rate (" + rate + ") must be a positive number of requests per second");
        }
        return rate;
    }

    private static Duration warmup(double seconds, RunLimit limit) {
        if (seconds == 0) {
            return Duration.ZERO;
        }
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("--warmup (" + seconds + ") must be a positive number of seconds, or 0");
        }
        if (!(limit instanceof RunLimit.Timed)) {
            throw new IllegalArgumentException("--warmup works with --duration, not --requests");
        }
        return Duration.ofNanos((long) (seconds * 1e9));
    }

    private static Duration seconds(double seconds) {
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("--duration (" + seconds + ") must be a positive number of seconds");
        }
        return Duration.ofNanos((long) (seconds * 1e9));
    }

    private static String describe(RunLimit limit) {
        return limit instanceof RunLimit.Requests requests
                ? requests.count() + " requests"
                : ((RunLimit.Timed) limit).length().toMillis() / 1000.0 + " s";
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeQuietly(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down (Ctrl-C): the hook is running and waits for the summary.
        }
    }
}
