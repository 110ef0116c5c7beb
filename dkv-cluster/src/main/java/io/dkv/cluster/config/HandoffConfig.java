package io.dkv.cluster.config;

/**
 * Hinted handoff: writes kept by a stand-in (or by the coordinator) for a replica that did
 * not get them, and replayed when it is back. Bounded like Cassandra's hint window.
 *
 * @param enabled               when false, writes a replica missed wait for anti-entropy
 * @param maxHints              most hints a node keeps, all targets together
 * @param maxBytes              most bytes of hints a node keeps
 * @param maxAgeMillis          hints older than this are dropped (the hint window)
 * @param replayIntervalMillis  how often hints for replicas that are up again are replayed
 * @param replayBatch           most hints replayed per target per interval
 */
public record HandoffConfig(boolean enabled, int maxHints, long maxBytes, long maxAgeMillis, long replayIntervalMillis,
                            int replayBatch) {

    public static final HandoffConfig DEFAULT =
            new HandoffConfig(true, 100_000, 256L << 20, 3 * 3_600_000L, 1_000, 256);

    public HandoffConfig {
        ConfigChecks.require(maxHints >= 0, "hint-max-count (" + maxHints + ") must not be negative");
        ConfigChecks.require(maxBytes >= 0, "hint-max-bytes (" + maxBytes + ") must not be negative");
        ConfigChecks.require(maxAgeMillis > 0, "hint-max-age-ms (" + maxAgeMillis + ") must be positive");
        ConfigChecks.require(replayIntervalMillis > 0, "hint-replay-interval-ms (" + replayIntervalMillis + ") must be positive");
        ConfigChecks.require(replayBatch >= 1, "hint-replay-batch (" + replayBatch + ") must be at least 1");
    }

    public HandoffConfig withEnabled(boolean value) {
        return new HandoffConfig(value, maxHints, maxBytes, maxAgeMillis, replayIntervalMillis, replayBatch);
    }

    public HandoffConfig withMaxHints(int value) {
        return new HandoffConfig(enabled, value, maxBytes, maxAgeMillis, replayIntervalMillis, replayBatch);
    }

    public HandoffConfig withMaxBytes(long value) {
        return new HandoffConfig(enabled, maxHints, value, maxAgeMillis, replayIntervalMillis, replayBatch);
    }

    public HandoffConfig withMaxAgeMillis(long value) {
        return new HandoffConfig(enabled, maxHints, maxBytes, value, replayIntervalMillis, replayBatch);
    }

    public HandoffConfig withReplayIntervalMillis(long value) {
        return new HandoffConfig(enabled, maxHints, maxBytes, maxAgeMillis, value, replayBatch);
    }

    public HandoffConfig withReplayBatch(int value) {
        return new HandoffConfig(enabled, maxHints, maxBytes, maxAgeMillis, replayIntervalMillis, value);
    }
}
