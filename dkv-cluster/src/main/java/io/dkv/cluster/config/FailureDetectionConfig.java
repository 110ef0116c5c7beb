package io.dkv.cluster.config;

/**
 * How nodes watch each other: gossip cadence and the phi-accrual detector's tuning.
 *
 * @param enabled                 when false every peer is presumed up (useful in tests of
 *                                timeouts alone)
 * @param gossipIntervalMillis    how often a node bumps its heartbeat and gossips
 * @param gossipFanout            how many random peers it gossips to each interval
 * @param phiThreshold            suspicion above which a peer is marked down
 * @param acceptablePauseMillis   silence tolerated on top of the usual heartbeat interval
 * @param minStdDeviationMillis   floor of the interval deviation, so a perfectly regular
 *                                history does not make the detector hair-triggered
 * @param startupGraceMillis      how long a peer never heard from is presumed up after start
 */
public record FailureDetectionConfig(boolean enabled, long gossipIntervalMillis, int gossipFanout, double phiThreshold,
                                     long acceptablePauseMillis, long minStdDeviationMillis, long startupGraceMillis) {

    public static final FailureDetectionConfig DEFAULT =
            new FailureDetectionConfig(true, 1_000, 3, 8.0, 2_000, 200, 5_000);

    public FailureDetectionConfig {
        ConfigChecks.require(gossipIntervalMillis > 0, "gossip-interval-ms (" + gossipIntervalMillis + ") must be positive");
        ConfigChecks.require(gossipFanout >= 1, "gossip-fanout (" + gossipFanout + ") must be at least 1");
        ConfigChecks.require(phiThreshold > 0, "phi-threshold (" + phiThreshold + ") must be positive");
        ConfigChecks.require(acceptablePauseMillis >= 0, "phi-acceptable-pause-ms (" + acceptablePauseMillis + ") must not be negative");
        ConfigChecks.require(minStdDeviationMillis > 0, "phi-min-std-deviation-ms (" + minStdDeviationMillis + ") must be positive");
        ConfigChecks.require(startupGraceMillis >= 0, "startup-grace-ms (" + startupGraceMillis + ") must not be negative");
    }

    public FailureDetectionConfig withEnabled(boolean value) {
        return new FailureDetectionConfig(value, gossipIntervalMillis, gossipFanout, phiThreshold, acceptablePauseMillis, minStdDeviationMillis, startupGraceMillis);
    }

    public FailureDetectionConfig withGossipIntervalMillis(long value) {
        return new FailureDetectionConfig(enabled, value, gossipFanout, phiThreshold, acceptablePauseMillis, minStdDeviationMillis, startupGraceMillis);
    }

    public FailureDetectionConfig withGossipFanout(int value) {
        return new FailureDetectionConfig(enabled, gossipIntervalMillis, value, phiThreshold, acceptablePauseMillis, minStdDeviationMillis, startupGraceMillis);
    }

    public FailureDetectionConfig withPhiThreshold(double value) {
        return new FailureDetectionConfig(enabled, gossipIntervalMillis, gossipFanout, value, acceptablePauseMillis, minStdDeviationMillis, startupGraceMillis);
    }

    public FailureDetectionConfig withAcceptablePauseMillis(long value) {
        return new FailureDetectionConfig(enabled, gossipIntervalMillis, gossipFanout, phiThreshold, value, minStdDeviationMillis, startupGraceMillis);
    }

    public FailureDetectionConfig withMinStdDeviationMillis(long value) {
        return new FailureDetectionConfig(enabled, gossipIntervalMillis, gossipFanout, phiThreshold, acceptablePauseMillis, value, startupGraceMillis);
    }

    public FailureDetectionConfig withStartupGraceMillis(long value) {
        return new FailureDetectionConfig(enabled, gossipIntervalMillis, gossipFanout, phiThreshold, acceptablePauseMillis, minStdDeviationMillis, value);
    }
}
