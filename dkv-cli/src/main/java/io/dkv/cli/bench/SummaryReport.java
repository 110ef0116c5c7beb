package io.dkv.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/** Writes a {@link BenchSummary} as text (one {@code name value} per line, then a table) and as JSON. */
final class SummaryReport {

    private static final String ROW = "%-4s %10s %8s %9s %9s %9s %9s %9s %9s%n";

    private SummaryReport() {
    }

    static void print(BenchSummary summary, PrintWriter out) {
        out.printf(Locale.ROOT, "target       %s%n", summary.target());
        out.printf(Locale.ROOT, "clients      %d (pipeline %d)%n", summary.clients(), summary.pipeline());
        out.printf(Locale.ROOT, "workload     GET:SET %s, %d keys, %d-byte values, seed %d, consistency %s%n",
                summary.ratio(), summary.keys(), summary.valueSize(), summary.seed(),
                summary.consistency() == null ? "(server default)" : summary.consistency());
        out.printf(Locale.ROOT, "load         %s%n", summary.rate() == null
                ? "closed loop (latency from each request's write)"
                : String.format(Locale.ROOT, "open loop at %.0f requests/s (latency from each request's scheduled time)",
                        summary.rate()));
        out.printf(Locale.ROOT, "duration     %.3f s%n", summary.seconds());
        out.printf(Locale.ROOT, "requests     %d%n", summary.requests());
        out.printf(Locale.ROOT, "errors       %d%n", summary.errors());
        if (summary.firstError() != null) {
            out.printf(Locale.ROOT, "first error  %s%n", summary.firstError());
        }
        out.printf(Locale.ROOT, "dropped      %d connections%n", summary.droppedConnections());
        out.printf(Locale.ROOT, "throughput   %.0f ops/s%n", summary.opsPerSecond());
        out.println();
        out.printf(Locale.ROOT, ROW, "op", "requests", "errors", "mean ms", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms");
        row(out, "GET", summary.latencyMs().get());
        row(out, "SET", summary.latencyMs().set());
        row(out, "ALL", summary.latencyMs().all());
        out.flush();
    }

    private static void row(PrintWriter out, String name, LatencySummary latency) {
        out.printf(Locale.ROOT, ROW, name, latency.requests(), latency.errors(), ms(latency.mean()), ms(latency.p50()),
                ms(latency.p90()), ms(latency.p99()), ms(latency.p999()), ms(latency.max()));
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, "%.3f", millis);
    }

    static void writeJson(BenchSummary summary, Path file) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), summary);
    }
}
