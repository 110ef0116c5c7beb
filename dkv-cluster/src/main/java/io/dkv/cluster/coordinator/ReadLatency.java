package io.dkv.cluster.coordinator;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The recent latency of replica reads at one percentile: how long a read waits for the
 * replicas it asked before it asks one more (Cassandra's speculative retry).
 *
 * <p>A histogram with four buckets per power of two of microseconds (within 19% of the
 * true value, as HdrHistogram with one significant digit would be), counted with one atomic
 * add per sample. Every {@link #WINDOW} samples, the thread that records the last one
 * computes the percentile and halves every count, so old samples fade: the estimate follows
 * the last few windows, not the whole life of the node. Reads too few to estimate from
 * ({@link #recentMillis()} negative) leave the caller's cap in force.
 *
 * <p>Thread-safe: samples arrive on any thread; the recount may interleave with recording,
 * which only blurs an estimate that is approximate anyway.
 */
final class ReadLatency {

    static final int WINDOW = 256;
    private static final int SUB_BUCKETS = 4;
    /** Up to 2^27 µs (over two minutes): longer samples land in the last bucket. */
    private static final int BUCKETS = 27 * SUB_BUCKETS;

    private final double percentile;
    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong samples = new AtomicLong();
    private volatile long recentMillis = -1;

    /** @param percentile in (0, 100) */
    ReadLatency(double percentile) {
        this.percentile = percentile;
    }

    /** Records the time one replica took to answer a read. */
    void record(long nanos) {
        counts.incrementAndGet(bucket(Math.max(0, nanos / 1_000)));
        if (samples.incrementAndGet() % WINDOW == 0) {
            recount();
        }
    }

    /** The recent latency at the percentile, rounded up to whole milliseconds; -1 until a window was seen. */
    long recentMillis() {
        return recentMillis;
    }

    private void recount() {
        long total = 0;
        long[] snapshot = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            snapshot[i] = counts.get(i);
            total += snapshot[i];
        }
        long wanted = (long) Math.ceil(total * percentile / 100.0);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += snapshot[i];
            if (seen >= wanted) {
                recentMillis = (upperMicros(i) + 999) / 1_000;
                break;
            }
        }
        for (int i = 0; i < BUCKETS; i++) {
            counts.addAndGet(i, -(snapshot[i] - snapshot[i] / 2));
        }
    }

    /** Bucket of a sample: 4 per power of two above 1 µs. */
    static int bucket(long micros) {
        if (micros < 1) {
            return 0;
        }
        int power = 63 - Long.numberOfLeadingZeros(micros);
        int sub = power >= 2 ? (int) ((micros >>> (power - 2)) & 3) : (int) ((micros << (2 - power)) & 3);
        return Math.min(BUCKETS - 1, power * SUB_BUCKETS + sub);
    }

    /** The largest sample (µs) a bucket holds. */
    static long upperMicros(int bucket) {
        int power = bucket / SUB_BUCKETS;
        int sub = bucket % SUB_BUCKETS;
        // Bucket (power, sub) holds [2^power * (4 + sub) / 4, 2^power * (5 + sub) / 4).
        return Math.max(1, ((1L << power) * (5 + sub)) / 4);
    }
}
