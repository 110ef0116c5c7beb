package io.dkv.cli.bench;

import org.HdrHistogram.Histogram;

/**
 * Requests, errors and latency percentiles of one kind of request over a whole run. Latencies
 * are in milliseconds and cover the successful requests only; {@code requests} counts errors too.
 */
record LatencySummary(long requests, long errors, double p50, double p90, double p99, double p999, double max,
                      double mean) {

    /**
     * Summarizes a histogram of latencies in microseconds.
     *
     * @param errors failed requests, which the histogram does not hold
     */
    static LatencySummary of(Histogram micros, long errors) {
        long successes = micros.getTotalCount();
        if (successes == 0) {
            return new LatencySummary(errors, errors, 0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(successes + errors, errors,
                millis(micros.getValueAtPercentile(50)),
                millis(micros.getValueAtPercentile(90)),
                millis(micros.getValueAtPercentile(99)),
                millis(micros.getValueAtPercentile(99.9)),
                millis(micros.getMaxValue()),
                Math.round(micros.getMean()) / 1_000.0);
    }

    private static double millis(long micros) {
        return micros / 1_000.0;
    }
}
