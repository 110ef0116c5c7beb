package io.dkv.testkit;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.stream.LongStream;

/**
 * The seeds a randomized test runs with. By default a fixed set, so CI is repeatable:
 * seeds 1..{@code defaultCount}, the count each test chose. {@code -Ddkv.seed=S} replays
 * exactly seed S; {@code -Ddkv.seeds=5000} runs five thousand. Maven passes both on to the
 * forked test JVM only when given on its command line.
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

    /**
     * A line to print at the start of a seeded run and to put into its failure messages: the
     * run's name, its seed, and the command that replays it from the repository root.
     */
    public static String describe(Class<?> testClass, String test, long seed) {
        return test + " seed=" + seed + " (replay: " + replayCommand(testClass, seed) + ")";
    }

    /** {@link #describe(Class, String, long)} for the class that calls it. */
    public static String describe(String test, long seed) {
        Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass();
        return describe(caller, test, seed);
    }

    /**
     * The Maven command, run from the repository root, that runs {@code testClass} with only
     * {@code seed}: {@code mvn -pl dkv-testkit -am test -Dtest=FaultScheduleTest
     * -Dsurefire.failIfNoSpecifiedTests=false -Ddkv.seed=7}.
     */
    public static String replayCommand(Class<?> testClass, long seed) {
        Class<?> topLevel = testClass;
        while (topLevel.getEnclosingClass() != null) {
            topLevel = topLevel.getEnclosingClass();
        }
        return "mvn -pl " + moduleOf(topLevel) + " -am test -Dtest=" + topLevel.getSimpleName()
                + " -Dsurefire.failIfNoSpecifiedTests=false -Ddkv.seed=" + seed;
    }

    /**
     * The Maven module a class was compiled in, from where it was loaded:
     * {@code <module>/target/test-classes} or {@code <module>/target/classes}.
     * {@code <module>} when that cannot be told (a class loaded from a jar).
     */
    static String moduleOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return "<module>";
        }
        try {
            Path location = Path.of(source.getLocation().toURI());
            Path target = location.getParent();
            if (Files.isDirectory(location) && target != null && target.getFileName() != null
                    && target.getFileName().toString().equals("target") && target.getParent() != null
                    && Files.isRegularFile(target.getParent().resolve("pom.xml"))) {
                return target.getParent().getFileName().toString();
            }
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return "<module>";
        }
        return "<module>";
    }
}
