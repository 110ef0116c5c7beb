package io.dkv.cli.check;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link HistoryChecker} found: how the operations went and every problem, by kind.
 *
 * @param ops           client operations
 * @param ok            of those, acknowledged
 * @param failed        of those, answered with an error
 * @param indeterminate of those, never answered
 * @param findings      the problems, by kind, in the order found
 */
public record Verdict(long ops, long ok, long failed, long indeterminate, Map<Problem, List<Finding>> findings) {

    /** The kinds of problem a history can show. */
    public enum Problem {
        /** An acknowledged write that some node's final read does not reflect. */
        LOST,
        /** A read older than a write acknowledged before it began, where the levels promise better. */
        STALE,
        /** The same, but with more replicas faulty (or weaker levels) than the guarantee allows. */
        STALE_OUTSIDE_GUARANTEE,
        /** A read of a value never written to that key, or with a version it was not written with. */
        CORRUPT,
        /** A key whose replicas still hold different versions after the settle wait. */
        DIVERGENT
    }

    /** One problem: the key and a line that says what was seen. */
    public record Finding(String key, String description) {
    }

    public Verdict {
        EnumMap<Problem, List<Finding>> copy = new EnumMap<>(Problem.class);
        for (Problem problem : Problem.values()) {
            copy.put(problem, List.copyOf(findings.getOrDefault(problem, List.of())));
        }
        findings = copy;
    }

    public int count(Problem problem) {
        return findings.get(problem).size();
    }

    /** Whether nothing that the levels promise was broken. */
    public boolean clean() {
        return count(Problem.LOST) == 0 && count(Problem.STALE) == 0 && count(Problem.CORRUPT) == 0
                && count(Problem.DIVERGENT) == 0;
    }

    /** The last line {@code dkv check} prints. */
    public String countsLine() {
        return "lost: " + count(Problem.LOST) + ", stale: " + count(Problem.STALE) + ", corrupt: " + count(Problem.CORRUPT)
                + ", divergent: " + count(Problem.DIVERGENT);
    }
}
