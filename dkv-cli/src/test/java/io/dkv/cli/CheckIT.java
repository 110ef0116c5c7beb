package io.dkv.cli;

import io.dkv.cli.ChildProcesses.Result;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code dkv check} against real node processes started with {@code dkv cluster up}, its
 * nemesis killing and pausing them: once on a cluster as shipped, once on one with every
 * repair turned off, where the checker must find what that breaks.
 */
class CheckIT {

    private static final Pattern COUNTS = Pattern.compile("lost: (\\d+), stale: (\\d+), corrupt: (\\d+), divergent: (\\d+)");
    private static final Pattern FAULTS = Pattern.compile("(?m)^faults injected: (\\d+)");
    /** The checker keeps a history of every operation: more heap than the other client commands. */
    private static final List<String> CHECK_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC");

    /**
     * Five nodes, RF 3, QUORUM reads and writes, one node killed or paused at a time: the
     * checker must run to its verdict, inject faults, and exit 0 exactly when it found nothing.
     */
    @Test
    void quorumReadsAndWritesUnderAKillAndPauseNemesis() {
        ProcessCluster cluster = ProcessCluster.up("check-it", 5);
        try {
            Result check = check(cluster, "--nemesis", "kill,pause", "--seconds", "20", "--rate", "400");
            int[] counts = counts(check);
            assertThat(faultsInjected(check)).as(check.describe()).isPositive();
            boolean clean = counts[0] == 0 && counts[1] == 0 && counts[2] == 0 && counts[3] == 0;
            assertThat(check.exitCode()).as(check.describe()).isEqualTo(clean ? 0 : 1);
            System.out.println("dkv check under kill,pause:\n" + check.stdout());
        } finally {
            cluster.down();
        }
    }

    /**
     * A rolling restart of a durable cluster under load: each node in turn stopped with
     * SIGTERM and started again on its data directory while clients write and read at
     * QUORUM. Nothing acknowledged may be lost and no QUORUM read may be stale.
     */
    @Test
    void aRollingRestartLosesNothingAndServesNoStaleRead() {
        ProcessCluster cluster = ProcessCluster.up("check-rolling-it", 3);
        try {
            Result check = check(cluster, "--nemesis", "restart", "--seconds", "30", "--rate", "400",
                    "--healthy-seconds", "2", "--fault-seconds", "1");
            int[] counts = counts(check);
            assertThat(faultsInjected(check)).as(check.describe()).isGreaterThanOrEqualTo(2);
            assertThat(counts).as(check.describe()).containsExactly(0, 0, 0, 0);
            assertThat(check.exitCode()).as(check.describe()).isZero();
            System.out.println("dkv check under rolling restarts:\n" + check.stdout());
        } finally {
            cluster.down();
        }
    }

    /**
     * A planted bug: no hints, no read repair, no anti-entropy, ONE reads and writes. The
     * load ends while the nemesis holds a node paused, so the writes it missed reach it by no
     * path at all once it is thawed (a killed node would come back recovering and catch up by
     * comparing its partitions, which no setting turns off). The load runs long enough after
     * the pause for the others to mark the node down and stop sending it writes (until then
     * the writes wait in its socket and it applies them when thawed): the checker must
     * report divergent replicas and exit 1.
     */
    @Test
    void catchesReplicasThatNothingRepairs() {
        ProcessCluster cluster = ProcessCluster.up("check-planted-it", 3, "--set", "hinted-handoff=false",
                "--set", "read-repair-chance=0", "--set", "anti-entropy=false");
        try {
            Result check = check(cluster, "--nemesis", "pause", "--read", "ONE", "--write", "ONE", "--seconds", "14",
                    "--healthy-seconds", "2", "--fault-seconds", "60", "--settle-seconds", "5", "--ready-seconds", "30");
            int[] counts = counts(check);
            assertThat(faultsInjected(check)).as(check.describe()).isEqualTo(1);
            assertThat(counts[3]).as("divergent keys: " + check.describe()).isPositive();
            assertThat(check.exitCode()).as(check.describe()).isEqualTo(1);
        } finally {
            cluster.down();
        }
    }

    private static Result check(ProcessCluster cluster, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "check";
        all[1] = "--dir";
        all[2] = cluster.dir().toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return ChildProcesses.run(cluster.workDir(), ChildProcesses.dkvCommand(CHECK_JVM, all));
    }

    /** The counts of the last line, which must be the verdict. */
    private static int[] counts(Result check) {
        List<String> lines = check.stdout().lines().toList();
        assertThat(lines).as(check.describe()).isNotEmpty();
        Matcher last = COUNTS.matcher(lines.get(lines.size() - 1));
        assertThat(last.matches()).as("last line is the verdict: " + check.describe()).isTrue();
        return new int[]{Integer.parseInt(last.group(1)), Integer.parseInt(last.group(2)),
                Integer.parseInt(last.group(3)), Integer.parseInt(last.group(4))};
    }

    private static int faultsInjected(Result check) {
        Matcher faults = FAULTS.matcher(check.stdout());
        assertThat(faults.find()).as(check.describe()).isTrue();
        return Integer.parseInt(faults.group(1));
    }
}
