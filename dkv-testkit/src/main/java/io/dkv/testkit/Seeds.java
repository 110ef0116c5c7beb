package io.dkv.testkit;

import java.util.stream.LongStream;

/**
 * The seeds a randomized test runs with. By default a fixed set, so CI is repeatable:
 * seeds 1..{@code dkv.seeds} (8 unless set). {@code -Ddkv.seed=S} replays exactly seed S;
 * {@code -Ddkv.seeds=5000} runs five thousand.
 *
 * <p>Use with {@code @ParameterizedTest(name = "seed={0}") @MethodSource}; the seed is in the
 * test's name, and {@link #describe} puts the replay command into failure messages.
 */
public final class Seeds {

    private Seeds() {
    }

    public static LongStream seeds() {
        return seeds(8);
    }

    /** @param defaultCount how many seeds to run when {@code dkv.seeds} is not set */
    public static LongStream seeds(int defaultCount) {
        return seeds(defaultCount, false);
    }

    /**
     * @param count       how many seeds to run
     * @param fixedCount  when true, {@code dkv.seeds} does not change the count (for tests too
     *                    costly to multiply); {@code dkv.seed} still replays one seed
     */
    public static LongStream seeds(int count, boolean fixedCount) {
        String replay = System.getProperty("dkv.seed");
        if (replay != null && !replay.isBlank()) {
            return LongStream.of(Long.parseLong(replay.trim()));
        }
        String configured = System.getProperty("dkv.seeds");
        int runs = fixedCount || configured == null || configured.isBlank() ? count : Integer.parseInt(configured.trim());
        return LongStream.rangeClosed(1, runs);
    }

    /** A line to print at the start of a seeded run and to put into its failure messages. */
    public static String describe(String test, long seed) {
        return test + " seed=" + seed + " (replay: mvn test -Dtest=<class> -Ddkv.seed=" + seed + ")";
    }
}
