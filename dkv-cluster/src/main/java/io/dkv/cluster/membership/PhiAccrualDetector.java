package io.dkv.cluster.membership;

/**
 * Suspicion that a peer has failed, as a continuous level rather than a yes/no timeout:
 * phi = -log10(probability that a heartbeat this late would still come), given the
 * intervals seen so far.
 *
 * <p>Not thread-safe; owned by the membership thread. Times are the caller's monotonic
 * milliseconds, so the simulator can drive it.
 */
public final class PhiAccrualDetector {

    /*
     * Hayashibara, Défago, Yared, Katayama, "The phi Accrual Failure Detector" (2004), with
     * Akka's refinements: the normal distribution's tail is approximated by a logistic
     * function, the observed mean is extended by an acceptable pause (so a GC pause or a
     * lost gossip round does not alarm), and the deviation has a floor (so a perfectly
     * regular history does not make any delay look impossible).
     *
     * Instead of evaluating phi for every peer on every check, the threshold is inverted
     * once: the elapsed time at which phi reaches it is mean + y * stddev, where y solves
     * the logistic approximation for the threshold. Each heartbeat turns that into the
     * instant the peer will count as failed; checking is then one comparison.
     */

    private final double threshold;
    private final double thresholdY;
    private final double suspectY;
    private final long acceptablePauseMillis;
    private final double minStdDeviationMillis;
    private final long[] intervals;
    private int count;
    private int next;
    private double sum;
    private double sumOfSquares;
    private long lastArrivalMillis = -1;
    private long failAtMillis = Long.MAX_VALUE;
    private long suspectAtMillis = Long.MAX_VALUE;

    /**
     * @param threshold              phi above which the peer counts as failed
     * @param windowSize             how many recent intervals the statistics use
     * @param acceptablePauseMillis  extra silence tolerated on top of the mean interval
     * @param minStdDeviationMillis  floor of the standard deviation
     * @param firstIntervalMillis    expected interval before any has been measured
     */
    public PhiAccrualDetector(double threshold, int windowSize, long acceptablePauseMillis, long minStdDeviationMillis,
                              long firstIntervalMillis) {
        this.threshold = threshold;
        this.thresholdY = yFor(threshold);
        this.suspectY = yFor(threshold / 2);
        this.acceptablePauseMillis = acceptablePauseMillis;
        this.minStdDeviationMillis = minStdDeviationMillis;
        this.intervals = new long[windowSize];
        // Seed the history as Akka does: a mean of the expected interval, a quarter of it either way.
        add(firstIntervalMillis - firstIntervalMillis / 4);
        add(firstIntervalMillis + firstIntervalMillis / 4);
    }

    /** Records a heartbeat seen at {@code nowMillis}. */
    public void heartbeat(long nowMillis) {
        if (lastArrivalMillis >= 0) {
            add(nowMillis - lastArrivalMillis);
        }
        lastArrivalMillis = nowMillis;
        double mean = mean();
        double deviation = stdDeviation();
        failAtMillis = nowMillis + (long) Math.ceil(mean + thresholdY * deviation);
        suspectAtMillis = nowMillis + (long) Math.ceil(mean + suspectY * deviation);
    }

    public boolean hasHeartbeat() {
        return lastArrivalMillis >= 0;
    }

    public long lastArrivalMillis() {
        return lastArrivalMillis;
    }

    /** The current suspicion level; 0 right after a heartbeat, growing with silence. */
    public double phi(long nowMillis) {
        if (lastArrivalMillis < 0) {
            return 0;
        }
        double elapsed = nowMillis - lastArrivalMillis;
        double y = (elapsed - mean()) / stdDeviation();
        double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
        return elapsed > mean() ? -Math.log10(e / (1.0 + e)) : -Math.log10(1.0 - 1.0 / (1.0 + e));
    }

    /** Whether phi has reached the threshold, computed without logarithms. */
    public boolean isFailed(long nowMillis) {
        return nowMillis >= failAtMillis;
    }

    /** Whether phi has reached half the threshold: quiet for longer than usual. */
    public boolean isSuspect(long nowMillis) {
        return nowMillis >= suspectAtMillis;
    }

    public double threshold() {
        return threshold;
    }

    private double mean() {
        return sum / count + acceptablePauseMillis;
    }

    private double stdDeviation() {
        double mean = sum / count;
        double variance = Math.max(0, sumOfSquares / count - mean * mean);
        return Math.max(Math.sqrt(variance), minStdDeviationMillis);
    }

    private void add(long interval) {
        if (count == intervals.length) {
            long evicted = intervals[next];
            sum -= evicted;
            sumOfSquares -= (double) evicted * evicted;
        } else {
            count++;
        }
        intervals[next] = interval;
        next = (next + 1) % intervals.length;
        sum += interval;
        sumOfSquares += (double) interval * interval;
    }

    /** Solves phi(y) = threshold for y on the logistic approximation, by bisection. */
    static double yFor(double threshold) {
        double low = 0;
        double high = 50;
        for (int i = 0; i < 200; i++) {
            double mid = (low + high) / 2;
            double e = Math.exp(-mid * (1.5976 + 0.070566 * mid * mid));
            double phi = -Math.log10(e / (1.0 + e));
            if (phi < threshold) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return high;
    }
}
