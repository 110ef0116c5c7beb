package io.dkv.cli.bench;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * Takes interval histograms from {@link BenchStats}, once a second for the live line and once
 * at the end, and adds each into the run's totals. Not thread-safe: one reporting thread.
 */
final class StatsCollector {

    /** One interval: its throughput and latency, and the errors of the whole run so far. */
    record Interval(double seconds, long requests, double p50Ms, double p99Ms, long errorsSoFar) {

        double opsPerSecond() {
            return seconds > 0 ? requests / seconds : 0;
        }

        /** The live line, e.g. {@code 3.0 s  98213 ops/s  p50 0.412 ms  p99 1.934 ms  errors 0}. */
        String line(double elapsedSeconds) {
            return String.format(Locale.ROOT, "%6.1f s %10.0f ops/s   p50 %8.3f ms   p99 %8.3f ms   errors %d",
                    elapsedSeconds, opsPerSecond(), p50Ms, p99Ms, errorsSoFar);
        }
    }

    private final BenchStats stats;
    private final Histogram[] totals = new Histogram[Operation.values().length];
    /** Errors per operation before this collector started (a warm-up's): left out of its totals. */
    private final long[] errorsAtStart = new long[Operation.values().length];
    private long errorsBefore;
    private long sampledAt;

    /**
     * Counts from {@code startNanos} on: latencies recorded before must have been taken by an
     * earlier collector's {@link #sample}, and errors before are left out.
     */
    StatsCollector(BenchStats stats, long startNanos) {
        this.stats = stats;
        this.sampledAt = startNanos;
        this.errorsBefore = stats.errors();
        for (Operation operation : Operation.values()) {
            errorsAtStart[operation.ordinal()] = stats.errors(operation);
        }
        for (Operation operation : Operation.values()) {
            totals[operation.ordinal()] = BenchStats.newHistogram();
        }
    }

    /** What happened since the previous sample (or the start). */
    Interval sample(long nowNanos) {
        Histogram interval = BenchStats.newHistogram();
        for (Operation operation : Operation.values()) {
            Histogram latencies = BenchStats.newHistogram();
            stats.takeInterval(operation, latencies);
            totals[operation.ordinal()].add(latencies);
            interval.add(latencies);
        }
        long errors = stats.errors();
        long requests = interval.getTotalCount() + errors - errorsBefore;
        double seconds = (nowNanos - sampledAt) / 1e9;
        errorsBefore = errors;
        sampledAt = nowNanos;
        return new Interval(seconds, requests, interval.getValueAtPercentile(50) / 1_000.0,
                interval.getValueAtPercentile(99) / 1_000.0, errors);
    }

    /** The totals of everything sampled so far. */
    BenchSummary.Latencies latencies() {
        Histogram all = BenchStats.newHistogram();
        for (Histogram total : totals) {
            all.add(total);
        }
        long getErrors = errorsSince(Operation.GET);
        long setErrors = errorsSince(Operation.SET);
        return new BenchSummary.Latencies(
                LatencySummary.of(totals[Operation.GET.ordinal()], getErrors),
                LatencySummary.of(totals[Operation.SET.ordinal()], setErrors),
                LatencySummary.of(all, getErrors + setErrors));
    }

    private long errorsSince(Operation operation) {
        return stats.errors(operation) - errorsAtStart[operation.ordinal()];
    }
}
