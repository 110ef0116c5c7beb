package io.dkv.cluster.membership;

/**
 * Suspicion that a peer has failed, as a continuous level rather than a yes/no timeout:
 * phi = -log10(probability that news of a heartbeat this late would still come), given
 * what has been seen so far.
 *
 * <p>Not thread-safe; owned by the membership thread. Times are the caller's monotonic
 * milliseconds, so the simulator can drive it.
 */
public final class PhiAccrualDetector {

    /*
     * Hayashibara, Défago, Yared, Katayama, "The phi Accrual Failure Detector" (2004), with
     * Akka's refinements (a logistic approximation of the normal tail, an acceptable pause
     * added to the mean, a floor on the deviation), adapted to gossip.
     *
     * With gossip, news of a peer's heartbeat reaches this node through other nodes, late
     * by a dissemination delay that grows with the cluster. Each heartbeat is therefore
     * dated back to when its origin counted it (the gossip carries its age), so the
     * intervals measured are the peer's own rhythm, not the jitter of gossip paths; the
     * acceptable pause covers the usual dissemination delay, and the membership probes a
     * peer directly when news of it is late, so that a slow path cannot condemn it. The
     * interval statistics are exponentially weighted moving averages (as TCP estimates
     * round-trip times), which keeps a detector at a few fields: a node of a 1000-node
     * cluster holds 999 of them.
     *
     * Instead of evaluating phi for every peer on every check, the thresholds are inverted
     * once: phi reaches a level when the elapsed time reaches mean + y * deviation, with y
     * solving the logistic approximation. Each heartbeat turns that into instants; a check
     * is a comparison.
     */

    private static final double WEIGHT = 1.0 / 16;

    private final double threshold;
    private final double thresholdY;
    private final double suspectY;

    private final long acceptablePauseMillis;
    private final double minStdDeviationMillis;
    private double intervalMean;
    private double intervalVariance;
    private long lastArrivalMillis = -1;
    private long failAtMillis = Long.MAX_VALUE;
    private long suspectAtMillis = Long.MAX_VALUE;


    /**
     * @param threshold              phi above which the peer counts as failed
     * @param acceptablePauseMillis  extra silence tolerated on top of the expected wait
     * @param minStdDeviationMillis  floor of the standard deviation
     * @param firstIntervalMillis    expected heartbeat interval before any has been measured
     */
    public PhiAccrualDetector(double threshold, long acceptablePauseMillis, long minStdDeviationMillis,
                              long firstIntervalMillis) {
        this.threshold = threshold;
        this.thresholdY = yFor(threshold);
        this.suspectY = yFor(threshold / 2);

        this.acceptablePauseMillis = acceptablePauseMillis;
        this.minStdDeviationMillis = minStdDeviationMillis;
        // As Akka seeds its history: the expected interval, give or take a quarter.
        this.intervalMean = firstIntervalMillis;
        this.intervalVariance = Math.pow(firstIntervalMillis / 4.0, 2);
    }

    /** Records a heartbeat counted at its origin at {@code countedAtMillis}. */
    public void heartbeat(long countedAtMillis) {
        heartbeats(countedAtMillis, 1);
    }

    /**
     * Records that the peer counted {@code count} heartbeats since the last one seen here,
     * the newest at {@code countedAtMillis}. With gossip a counter can advance by several at
     * once when intermediate values never reached this node; each counts as one interval of
     * the average length, so skipped values do not look like a slow peer.
     */
    public void heartbeats(long countedAtMillis, int count) {
        if (lastArrivalMillis >= 0) {
            int intervals = Math.max(1, Math.min(count, 8));
            double interval = Math.max(0, countedAtMillis - lastArrivalMillis) / (double) intervals;
            for (int i = 0; i < intervals; i++) {
                double deviation = interval - intervalMean;
                intervalMean += WEIGHT * deviation;
                intervalVariance = (1 - WEIGHT) * (intervalVariance + WEIGHT * deviation * deviation);
            }
        }
        lastArrivalMillis = countedAtMillis;
        double mean = mean();
        double deviation = stdDeviation();
        failAtMillis = countedAtMillis + (long) Math.ceil(mean + thresholdY * deviation);
        suspectAtMillis = countedAtMillis + (long) Math.ceil(mean + suspectY * deviation);

    }

    public boolean hasHeartbeat() {
        return lastArrivalMillis >= 0;
    }

    /** When the newest heartbeat seen was counted at its origin. */
    public long lastArrivalMillis() {
        return lastArrivalMillis;
    }

    /** The current suspicion level; near 0 just after a heartbeat, growing with silence. */
    public double phi(long nowMillis) {
        if (lastArrivalMillis < 0) {
            return 0;
        }
        double elapsed = nowMillis - lastArrivalMillis;
        double y = (elapsed - mean()) / stdDeviation();
        double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
        return elapsed > mean() ? -Math.log10(e / (1.0 + e)) : -Math.log10(1.0 - 1.0 / (1.0 + e));
    }

    /** Whether phi has reached the threshold. */
    public boolean isFailed(long nowMillis) {
        return nowMillis >= failAtMillis;
    }

    /** Whether phi has reached half the threshold: quiet for longer than usual. */
    public boolean isSuspect(long nowMillis) {
        return nowMillis >= suspectAtMillis;
    }

    /** Milliseconds until phi reaches the threshold (negative once it has). */
    public long millisUntilFailed(long nowMillis) {
        return failAtMillis - nowMillis;
    }

    public double threshold() {
        return threshold;
    }

    private double mean() {
        return intervalMean + acceptablePauseMillis;
    }

    private double stdDeviation() {
        return Math.max(Math.sqrt(intervalVariance), minStdDeviationMillis);
    }

    /** Solves phi(y) = level for y on the logistic approximation, by bisection. */
    static double yFor(double level) {
        double low = 0;
        double high = 50;
        for (int i = 0; i < 200; i++) {
            double mid = (low + high) / 2;
            double e = Math.exp(-mid * (1.5976 + 0.070566 * mid * mid));
            double phi = -Math.log10(e / (1.0 + e));
            if (phi < level) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return high;
    }
}
