package io.dkv.cli.bench;

/**
 * The result of a run, as printed at its end and written by {@code --json}.
 *
 * @param consistency the level sent with {@code DKV.CONSISTENCY}, or null when none was
 * @param seconds     from the first request to the last reply
 * @param requests    every request sent, failed ones included
 * @param opsPerSecond requests per second
 * @param rate        the requests per second asked for with {@code --rate} (open loop; latencies
 *                    then count from each request's scheduled time), or null in closed loop
 * @param firstError  the text of the first error, or null when there was none
 * @param latencyMs   per kind of request and for all together, in milliseconds
 */
record BenchSummary(String target, int clients, int pipeline, int keys, int valueSize, String ratio,
                    String consistency, long seed, double seconds, long requests, long errors, double opsPerSecond,
                    Double rate, long droppedConnections, String firstError, Latencies latencyMs) {

    /** The latency summaries: GETs, SETs, and both together. */
    record Latencies(LatencySummary get, LatencySummary set, LatencySummary all) {
    }
}
