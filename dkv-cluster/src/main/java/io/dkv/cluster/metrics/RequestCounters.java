package io.dkv.cluster.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies of the client requests a node coordinates, for its headline figures. Recording
 * is wait-free from any thread (HdrHistogram's {@link Recorder}); {@link #sample} is called
 * about once an interval from one thread and turns the interval into rate and p99.
 */
public final class RequestCounters {

    private static final long HIGHEST_TRACKABLE_NANOS = 3_600_000_000_000L;

    private final Recorder recorder = new Recorder(HIGHEST_TRACKABLE_NANOS, 3);
    private Histogram interval;
    private long lastSampleNanos = -1;
    private volatile int opsPerSecond;
    private volatile int p99Micros;

    public void record(long nanos) {
        recorder.recordValue(Math.max(0, Math.min(nanos, HIGHEST_TRACKABLE_NANOS)));
    }

    /** Closes the current interval; call from a single thread. */
    public void sample(long nowNanos) {
        interval = recorder.getIntervalHistogram(interval);
        if (lastSampleNanos >= 0 && nowNanos > lastSampleNanos) {
            double seconds = (nowNanos - lastSampleNanos) / 1e9;
            opsPerSecond = (int) Math.round(interval.getTotalCount() / seconds);
            p99Micros = interval.getTotalCount() == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, interval.getValueAtPercentile(99) / 1_000);
        }
        lastSampleNanos = nowNanos;
    }

    public int opsPerSecond() {
        return opsPerSecond;
    }

    public int p99Micros() {
        return p99Micros;
    }
}
