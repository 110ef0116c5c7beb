package io.dkv.cluster.config;

import io.dkv.core.InvalidConfigException;

import java.util.Locale;

/**
 * How a read chooses the replicas it asks, after Cassandra's {@code speculative_retry}.
 * A read first asks as many replicas as its consistency level needs; it asks the next replica
 * of the key when one of them fails, and, unless the policy is {@link Kind#NONE}, when they
 * have not all answered after the policy's delay.
 *
 * @param kind       {@link Kind#PERCENTILE}: wait the recent {@code percentile} latency of replica
 *                   reads; {@link Kind#FIXED}: wait {@code fixedMillis}; {@link Kind#NONE}: never
 *                   speculate (a failed replica is still replaced); {@link Kind#ALWAYS}: ask every
 *                   replica that is up at once (unlike Cassandra's ALWAYS, which asks one more)
 * @param percentile for {@link Kind#PERCENTILE}, in (0, 100)
 * @param fixedMillis for {@link Kind#FIXED}, at least 1
 * @param minMillis  the shortest delay a percentile may give (a floor: below it a loaded
 *                   machine's jitter would double the reads)
 * @param maxMillis  the longest delay a percentile may give; the replica timeout caps it too.
 *                   {@link ClusterConfig} checks it is not below {@code minMillis} (here the two
 *                   settings may be given in either order)
 */
public record SpeculativeRetry(Kind kind, double percentile, long fixedMillis, long minMillis, long maxMillis) {

    public enum Kind { PERCENTILE, FIXED, NONE, ALWAYS }

    public static final long DEFAULT_MIN_MILLIS = 2;
    public static final long DEFAULT_MAX_MILLIS = 100;
    public static final SpeculativeRetry DEFAULT =
            new SpeculativeRetry(Kind.PERCENTILE, 99, 0, DEFAULT_MIN_MILLIS, DEFAULT_MAX_MILLIS);

    public SpeculativeRetry {
        ConfigChecks.require(kind != null, "speculative-retry must be set");
        ConfigChecks.require(kind != Kind.PERCENTILE || (percentile > 0 && percentile < 100),
                "speculative-retry percentile (" + percentile + ") must be between 0 and 100, e.g. 99p");
        ConfigChecks.require(kind != Kind.FIXED || fixedMillis >= 1,
                "speculative-retry delay (" + fixedMillis + " ms) must be at least 1 ms");
        ConfigChecks.require(minMillis >= 1, "speculative-retry-min-ms (" + minMillis + ") must be at least 1");
        ConfigChecks.require(maxMillis >= 1, "speculative-retry-max-ms (" + maxMillis + ") must be at least 1");
    }

    /**
     * Parses Cassandra's spellings: {@code 99p} (or {@code 99percentile}), {@code 50ms},
     * {@code NONE}, {@code ALWAYS}; the floor and cap stay as they are.
     */
    public SpeculativeRetry withPolicy(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (value.equals("none")) {
                return new SpeculativeRetry(Kind.NONE, 0, 0, minMillis, maxMillis);
            }
            if (value.equals("always")) {
                return new SpeculativeRetry(Kind.ALWAYS, 0, 0, minMillis, maxMillis);
            }
            if (value.endsWith("ms")) {
                return new SpeculativeRetry(Kind.FIXED, 0, Long.parseLong(value.substring(0, value.length() - 2).trim()),
                        minMillis, maxMillis);
            }
            if (value.endsWith("percentile") || value.endsWith("p")) {
                String number = value.substring(0, value.length() - (value.endsWith("percentile") ? 10 : 1)).trim();
                return new SpeculativeRetry(Kind.PERCENTILE, Double.parseDouble(number), 0, minMillis, maxMillis);
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new InvalidConfigException("speculative-retry: expected NONE, ALWAYS, a percentile such as"
                + " 99p, or a delay such as 20ms, got '" + text + "'");
    }

    public SpeculativeRetry withMinMillis(long minMillis) {
        return new SpeculativeRetry(kind, percentile, fixedMillis, minMillis, maxMillis);
    }

    public SpeculativeRetry withMaxMillis(long maxMillis) {
        return new SpeculativeRetry(kind, percentile, fixedMillis, minMillis, maxMillis);
    }

    /** Whether a read asks every replica that is up at once. */
    public boolean asksAll() {
        return kind == Kind.ALWAYS;
    }

    /** Whether a read that waits for a slow replica asks the next one. */
    public boolean speculates() {
        return kind == Kind.PERCENTILE || kind == Kind.FIXED;
    }

    /**
     * How long a read waits for the replicas it asked before it asks one more.
     *
     * @param recentMillis the recent latency at {@link #percentile()}, or a negative number when
     *                     too few reads were measured yet (the cap then applies)
     * @param timeoutMillis the replica timeout: waiting as long would be no speculation at all
     */
    public long delayMillis(long recentMillis, long timeoutMillis) {
        long cap = Math.max(1, Math.min(maxMillis, timeoutMillis / 2));
        if (kind == Kind.FIXED) {
            return Math.min(fixedMillis, cap);
        }
        if (recentMillis < 0) {
            return cap;
        }
        return Math.max(Math.min(minMillis, cap), Math.min(recentMillis, cap));
    }

    @Override
    public String toString() {
        return switch (kind) {
            case PERCENTILE -> (percentile == Math.rint(percentile) ? String.valueOf((long) percentile)
                    : String.valueOf(percentile)) + "p";
            case FIXED -> fixedMillis + "ms";
            case NONE -> "NONE";
            case ALWAYS -> "ALWAYS";
        };
    }
}
