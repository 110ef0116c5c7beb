package io.dkv.cli.check;

import io.dkv.cli.check.Verdict.Problem;
import io.dkv.core.Consistency;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Hand-made histories and what the checker must find in them. Times are in milliseconds from the start. */
class HistoryCheckerTest {

    /** A table row: a history and the counts it must give. */
    record Case(String name, Builder history, int lost, int stale, int staleOutside, int corrupt, int divergent) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("a read after an acknowledged write that returns it is fine",
                        base().read("k", 40, 50, "v2", 200, 2), 0, 0, 0, 0, 0),
                new Case("a read older than a write acknowledged before it began is stale",
                        base().read("k", 40, 50, "v1", 100, 1), 0, 1, 0, 0, 0),
                new Case("a read of nothing after an acknowledged write is stale",
                        base().read("k", 40, 50, null, -1, 0), 0, 1, 0, 0, 0),
                new Case("a read that began before the write was acknowledged is not stale",
                        base().read("k", 25, 50, "v1", 100, 1), 0, 0, 0, 0, 0),
                new Case("a read that began as the acknowledgement arrived is not stale",
                        base().read("k", 30, 50, "v1", 100, 1), 0, 0, 0, 0, 0),
                new Case("one faulty replica at QUORUM (RF 3) is within the guarantee",
                        base().fault("n3", "kill", 25, 45).read("k", 40, 50, "v1", 100, 1), 0, 1, 0, 0, 0),
                new Case("two faulty replicas at QUORUM (RF 3) are outside the guarantee",
                        base().fault("n3", "kill", 25, 45).fault("n1", "pause", 46, 90).read("k", 40, 50, "v1", 100, 1),
                        0, 0, 1, 0, 0),
                new Case("the same node faulty twice counts once",
                        base().fault("n3", "kill", 21, 24).fault("n3", "pause", 35, 38).read("k", 40, 50, "v1", 100, 1),
                        0, 1, 0, 0, 0),
                new Case("faults of other nodes than the key's replicas do not count",
                        base().fault("n4", "kill", 25, 45).fault("n5", "pause", 30, 90).read("k", 40, 50, "v1", 100, 1),
                        0, 1, 0, 0, 0),
                new Case("faults over before the write started do not excuse a stale read",
                        base().fault("n1", "kill", 0, 5).fault("n2", "kill", 6, 15).read("k", 40, 50, "v1", 100, 1),
                        0, 1, 0, 0, 0),
                new Case("a fault during the write counts: a replica may have acknowledged and then lost it",
                        base().fault("n1", "kill", 0, 22).fault("n2", "kill", 23, 45).read("k", 40, 50, "v1", 100, 1),
                        0, 0, 1, 0, 0),
                new Case("a fault still open at the end counts",
                        base().fault("n1", "kill", 35, Long.MAX_VALUE).fault("n2", "pause", 45, 48).read("k", 40, 50, "v1", 100, 1),
                        0, 0, 1, 0, 0),
                new Case("ONE reads with ONE writes promise nothing: stale outside the guarantee",
                        base().levels(Consistency.ONE, Consistency.ONE).read("k", 40, 50, "v1", 100, 1), 0, 0, 1, 0, 0),
                new Case("ALL reads with ONE writes promise fresh reads while no replica is faulty",
                        base().levels(Consistency.ALL, Consistency.ONE).read("k", 40, 50, "v1", 100, 1), 0, 1, 0, 0, 0),
                new Case("ALL reads with ONE writes promise nothing once one replica is faulty",
                        base().levels(Consistency.ALL, Consistency.ONE).fault("n2", "pause", 41, 43)
                                .read("k", 40, 50, "v1", 100, 1), 0, 0, 1, 0, 0),
                new Case("with two stale witnesses, the later one within the guarantee makes it stale",
                        base().write("k", "v3", 60, 70, 300, 3).fault("n1", "kill", 12, 55).fault("n2", "kill", 56, 58)
                                .read("k", 80, 90, "v1", 100, 1), 0, 1, 0, 0, 0),
                new Case("a write that failed is not acknowledged: reading around it is fine, and so is reading it",
                        new Builder().write("k", "v1", 0, 10, 100, 1).failedWrite("k", "v2", 20, 30)
                                .read("k", 40, 50, "v1", 100, 1).read("k", 60, 70, "v2", 200, 2), 0, 0, 0, 0, 0),
                new Case("a higher version from an unanswered write is fine",
                        base().indeterminateWrite("k", "v3", 35, 100).read("k", 40, 50, "v3", 300, 3), 0, 0, 0, 0, 0),
                new Case("a value never written is corrupt",
                        base().read("k", 40, 50, "forged", 900, 1), 0, 0, 0, 1, 0),
                new Case("a value written to another key is corrupt",
                        base().write("other", "elsewhere", 0, 5, 250, 2).read("k", 40, 50, "elsewhere", 250, 2), 0, 0, 0, 1, 0),
                new Case("an acknowledged value with another version is corrupt",
                        base().read("k", 40, 50, "v2", 250, 2), 0, 0, 0, 1, 0),
                new Case("a delete nobody issued is corrupt",
                        base().read("k", 40, 50, null, 500, 1), 0, 0, 0, 1, 0),
                new Case("failed reads are not judged",
                        base().failedRead("k", 40, 50), 0, 0, 0, 0, 0),
                new Case("every node reading the newest acknowledged write at the end: nothing lost",
                        base().finalRead("n1", "k", "v2", 200, 2).finalRead("n2", "k", "v2", 200, 2), 0, 0, 0, 0, 0),
                new Case("a superseded write is not lost, a newer final version from an unanswered write is fine",
                        base().indeterminateWrite("k", "v3", 35, 100).finalRead("n1", "k", "v3", 300, 3), 0, 0, 0, 0, 0),
                new Case("a node reading an older version at the end loses the newer acknowledged write",
                        base().finalRead("n1", "k", "v2", 200, 2).finalRead("n2", "k", "v1", 100, 1), 1, 0, 0, 0, 0),
                new Case("a node reading nothing at the end loses every acknowledged write",
                        base().finalRead("n1", "k", "v2", 200, 2).finalRead("n4", "k", null, -1, 0), 2, 0, 0, 0, 0),
                new Case("a final read that failed proves nothing lost",
                        base().finalRead("n1", "k", "v2", 200, 2).failedFinalRead("n2", "k"), 0, 0, 0, 0, 0),
                new Case("a final read of a forged value is corrupt",
                        base().finalRead("n1", "k", "forged", 900, 1), 0, 0, 0, 1, 0),
                new Case("replicas holding the same version have converged",
                        base().finalVersions("k", "n1", "200.0@n2", "n2", "200.0@n2", "n3", "200.0@n2"), 0, 0, 0, 0, 0),
                new Case("replicas holding different versions diverge",
                        base().finalVersions("k", "n1", "200.0@n2", "n2", "100.0@n1", "n3", "200.0@n2"), 0, 0, 0, 0, 1),
                new Case("a replica missing the key diverges",
                        base().finalVersions("k", "n1", "200.0@n2", "n2", "missing", "n3", "200.0@n2")
                                .finalVersions("other", "n1", "missing", "n2", "missing", "n4", "missing"), 0, 0, 0, 0, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void findsWhatTheHistoryShows(Case row) {
        Verdict verdict = HistoryChecker.check(row.history().build());
        assertThat(counts(verdict)).as("lost, stale, stale outside, corrupt, divergent: %s", verdict.findings())
                .containsExactly(row.lost(), row.stale(), row.staleOutside(), row.corrupt(), row.divergent());
    }

    @Test
    void countsEveryOutcomeAndEndsWithTheCountsLine() {
        Verdict verdict = HistoryChecker.check(base().failedRead("k", 40, 41).indeterminateWrite("k", "v9", 50, 60)
                .read("k", 40, 50, "v1", 100, 1).finalRead("n1", "k", "v1", 100, 1).build());
        assertThat(verdict.ops()).isEqualTo(5);
        assertThat(verdict.ok()).isEqualTo(3);
        assertThat(verdict.failed()).isEqualTo(1);
        assertThat(verdict.indeterminate()).isEqualTo(1);
        assertThat(verdict.clean()).isFalse();
        assertThat(verdict.countsLine()).isEqualTo("lost: 1, stale: 1, corrupt: 0, divergent: 0");
        assertThat(verdict.findings().get(Problem.STALE).get(0).description())
                .contains("k: read [0.040s-0.050s]", "'v2'", "[n1, n2, n3]");
    }

    @Test
    void aCleanHistoryIsClean() {
        Verdict verdict = HistoryChecker.check(base().read("k", 40, 50, "v2", 200, 2).build());
        assertThat(verdict.clean()).isTrue();
        assertThat(verdict.countsLine()).isEqualTo("lost: 0, stale: 0, corrupt: 0, divergent: 0");
    }

    private static int[] counts(Verdict verdict) {
        return new int[]{verdict.count(Problem.LOST), verdict.count(Problem.STALE),
                verdict.count(Problem.STALE_OUTSIDE_GUARANTEE), verdict.count(Problem.CORRUPT), verdict.count(Problem.DIVERGENT)};
    }

    /** Key k on n1, n2, n3 at QUORUM / QUORUM: v1 acknowledged over [0, 10] ms at 100@n1, v2 over [20, 30] at 200@n2. */
    private static Builder base() {
        return new Builder().write("k", "v1", 0, 10, 100, 1).write("k", "v2", 20, 30, 200, 2);
    }

    /** Builds a history; times in milliseconds, a negative stamp for "absent". */
    static final class Builder {
        private final List<Op> ops = new ArrayList<>();
        private final List<Fault> faults = new ArrayList<>();
        private final List<History.FinalRead> finalReads = new ArrayList<>();
        private final Map<String, Map<String, String>> finalVersions = new HashMap<>();
        private Consistency read = Consistency.QUORUM;
        private Consistency write = Consistency.QUORUM;

        Builder levels(Consistency read, Consistency write) {
            this.read = read;
            this.write = write;
            return this;
        }

        Builder write(String key, String value, long start, long end, long stamp, int node) {
            ops.add(Op.write(0, key, value, ms(start), ms(end), Op.Outcome.OK, new Version(stamp, node), null));
            return this;
        }

        Builder failedWrite(String key, String value, long start, long end) {
            ops.add(Op.write(0, key, value, ms(start), ms(end), Op.Outcome.FAILED, null, "NOREPLICAS 1 of 2"));
            return this;
        }

        Builder indeterminateWrite(String key, String value, long start, long end) {
            ops.add(Op.write(0, key, value, ms(start), ms(end), Op.Outcome.INDETERMINATE, null, "timeout"));
            return this;
        }

        Builder read(String key, long start, long end, String value, long stamp, int node) {
            ops.add(Op.read(1, key, ms(start), ms(end), Op.Outcome.OK, value, version(stamp, node), null));
            return this;
        }

        Builder failedRead(String key, long start, long end) {
            ops.add(Op.read(1, key, ms(start), ms(end), Op.Outcome.FAILED, null, null, "NOREPLICAS 1 of 2"));
            return this;
        }

        Builder fault(String node, String kind, long start, long end) {
            faults.add(new Fault(node, kind, ms(start), end == Long.MAX_VALUE ? end : ms(end)));
            return this;
        }

        Builder finalRead(String node, String key, String value, long stamp, int versionNode) {
            finalReads.add(new History.FinalRead(node, Op.read(-1, key, ms(1000), ms(1001), Op.Outcome.OK, value,
                    version(stamp, versionNode), null)));
            return this;
        }

        Builder failedFinalRead(String node, String key) {
            finalReads.add(new History.FinalRead(node, Op.read(-1, key, ms(1000), ms(1001), Op.Outcome.FAILED, null, null,
                    "NOREPLICAS")));
            return this;
        }

        Builder finalVersions(String key, String... nodesAndVersions) {
            Map<String, String> byNode = new LinkedHashMap<>();
            for (int i = 0; i < nodesAndVersions.length; i += 2) {
                byNode.put(nodesAndVersions[i], nodesAndVersions[i + 1]);
            }
            finalVersions.put(key, byNode);
            return this;
        }

        History build() {
            return new History(ops, faults, Map.of("k", List.of("n1", "n2", "n3"), "other", List.of("n2", "n4", "n5")),
                    read, write, finalReads, finalVersions, 0);
        }

        private static Version version(long stamp, int node) {
            return stamp < 0 ? null : new Version(stamp, node);
        }

        private static long ms(long millis) {
            return millis * 1_000_000;
        }
    }
}
