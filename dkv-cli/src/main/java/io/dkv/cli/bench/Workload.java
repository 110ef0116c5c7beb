package io.dkv.cli.bench;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * What a run's requests look like: keys {@code key:0} to {@code key:<keys-1>} drawn uniformly,
 * GETs and SETs mixed by a {@link Ratio}, values of {@code valueSize} random bytes, all drawn
 * from one seed so that a run can be repeated request for request.
 */
record Workload(int keys, int valueSize, Ratio ratio, long seed) {

    static final String KEY_PREFIX = "key:";

    /** Spreads connection numbers over the seed space (the golden-ratio increment SplittableRandom uses). */
    private static final long SEED_GAMMA = 0x9E3779B97F4A7C15L;

    Workload {
        if (keys < 1) {
            throw new IllegalArgumentException("--keys (" + keys + ") must be at least 1");
        }
        if (valueSize < 0) {
            throw new IllegalArgumentException("--value-size (" + valueSize + ") must not be negative");
        }
        if (ratio == null) {
            throw new IllegalArgumentException("--ratio is required");
        }
    }

    /** The requests connection number {@code connection} sends; the same seed and number give the same sequence. */
    OperationStream operations(int connection) {
        return new OperationStream(new SplittableRandom(seed + SEED_GAMMA * (connection + 1L)), keys, ratio);
    }

    /** The value every SET writes: {@code valueSize} random bytes, the same for every request of the run. */
    byte[] value() {
        byte[] value = new byte[valueSize];
        new SplittableRandom(seed).nextBytes(value);
        return value;
    }

    /** The key with the given number, as sent on the wire. */
    static byte[] keyName(int key) {
        return (KEY_PREFIX + key).getBytes(StandardCharsets.US_ASCII);
    }
}
