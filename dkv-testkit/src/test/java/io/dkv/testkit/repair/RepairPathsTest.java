package io.dkv.testkit.repair;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.testkit.Seeds;
import io.dkv.testkit.sim.SimClient;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each of the three repair paths alone, with the other two switched off: hinted handoff,
 * read repair, anti-entropy. In every case one replica of five nodes (RF 3) misses QUORUM
 * writes while the other two take them; what the test then checks is that replica's own
 * storage, read directly, so the result does not depend on which nodes stood in or answered
 * the reads.
 */
class RepairPathsTest {

    private static final int KEYS = 100;
    /** The replica that misses the writes. */
    private static final NodeId LAGGING = NodeId.of(3);
    /** Coordinates every request; never faulted. */
    private static final NodeId COORDINATOR = NodeId.of(1);

    static LongStream seeds() {
        return Seeds.seeds(3);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void hintedHandoffAloneReplaysEveryWriteAReplicaMissedWhileDown(long seed) {
        String run = Seeds.describe(RepairPathsTest.class, "RepairPathsTest.hintedHandoffAlone", seed);
        System.out.println(run);
        SimCluster cluster = cluster(seed, c -> c.handoff(c.handoff().withEnabled(true)));

        cluster.crash(LAGGING);
        Map<String, Entry> written = writeAll(cluster);
        Map<String, Entry> missed = lagging(cluster, written);
        assertThat(missed).as(run).hasSameSizeAs(written);
        awaitAHintOfEach(cluster, missed, run);
        long replayedBefore = sum(cluster, m -> m.hintsReplayed.sum());

        cluster.restart(LAGGING);

        assertThat(cluster.runUntilSettled(() -> lagging(cluster, written).isEmpty() && pendingHints(cluster) == 0,
                Duration.ofMinutes(2))).as("%s: replica %s caught up and every hint store emptied", run, LAGGING).isTrue();
        assertThat(sum(cluster, m -> m.hintsReplayed.sum()) - replayedBefore).as(run).isGreaterThanOrEqualTo(missed.size());
        assertThat(sum(cluster, m -> m.hintsExpired.sum())).as(run).isZero();
        assertHoldsEveryWrite(cluster, written, run);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void hintsOlderThanTheHintWindowExpireAndAreNotReplayed(long seed) {
        String run = Seeds.describe(RepairPathsTest.class, "RepairPathsTest.hintWindow", seed);
        System.out.println(run);
        Duration window = Duration.ofSeconds(20);
        SimCluster cluster = cluster(seed, c -> c.handoff(c.handoff().withEnabled(true).withMaxAgeMillis(window.toMillis())));

        cluster.crash(LAGGING);
        Map<String, Entry> written = writeAll(cluster);
        Map<String, Entry> missed = lagging(cluster, written);
        awaitAHintOfEach(cluster, missed, run);

        cluster.runFor(window.multipliedBy(3));

        assertThat(pendingHints(cluster)).as("%s: hints left after %s down", run, window.multipliedBy(3)).isZero();
        assertThat(sum(cluster, m -> m.hintsExpired.sum())).as(run).isGreaterThanOrEqualTo(missed.size());
        cluster.restart(LAGGING);
        cluster.runFor(Duration.ofMinutes(2));
        assertThat(sum(cluster, m -> m.hintsReplayed.sum())).as(run).isZero();
        assertThat(lagging(cluster, written)).as("%s: writes %s never got", run, LAGGING).isEqualTo(missed);
        for (String key : missed.keySet()) {
            assertThat(cluster.localEntry(LAGGING, key)).as("%s: %s on %s", run, key, LAGGING).isNull();
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void readRepairAloneBringsAStaleReplicaUpToDate(long seed) {
        String run = Seeds.describe(RepairPathsTest.class, "RepairPathsTest.readRepairAlone", seed);
        System.out.println(run);
        SimCluster cluster = cluster(seed, c -> c.readRepairChance(1.0));
        Map<String, Entry> written = writeWhilePartitioned(cluster, run);
        Map<String, Entry> missed = lagging(cluster, written);
        long repairsBefore = sum(cluster, m -> m.readRepairs.sum());

        SimClient client = cluster.client(COORDINATOR);
        for (String key : missed.keySet()) {
            assertThat(client.get(key, Consistency.ALL)).as("%s: %s", run, key).isEqualTo(valueOf(written.get(key)));
        }

        assertThat(cluster.runUntilSettled(() -> lagging(cluster, written).isEmpty(), Duration.ofSeconds(30)))
                .as("%s: reads at ALL repaired %s", run, LAGGING).isTrue();
        assertThat(sum(cluster, m -> m.readRepairs.sum()) - repairsBefore).as(run).isGreaterThanOrEqualTo(missed.size());
        assertHoldsEveryWrite(cluster, written, run);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void withReadRepairOffReadsLeaveAStaleReplicaStale(long seed) {
        String run = Seeds.describe(RepairPathsTest.class, "RepairPathsTest.readRepairOff", seed);
        System.out.println(run);
        SimCluster cluster = cluster(seed, c -> { });
        Map<String, Entry> written = writeWhilePartitioned(cluster, run);
        Map<String, Entry> missed = lagging(cluster, written);

        SimClient client = cluster.client(COORDINATOR);
        for (String key : missed.keySet()) {
            assertThat(client.get(key, Consistency.ALL)).as("%s: %s", run, key).isEqualTo(valueOf(written.get(key)));
        }
        cluster.runFor(Duration.ofMinutes(10));

        assertThat(lagging(cluster, written)).as("%s: still stale on %s after 10 minutes", run, LAGGING).isEqualTo(missed);
        assertThat(sum(cluster, m -> m.readRepairs.sum())).as(run).isZero();
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void antiEntropyAloneBringsAStaleReplicaUpToDateWithoutReads(long seed) {
        String run = Seeds.describe(RepairPathsTest.class, "RepairPathsTest.antiEntropyAlone", seed);
        System.out.println(run);
        SimCluster cluster = cluster(seed, c -> c.repair(c.repair().withAntiEntropyEnabled(true)));
        Map<String, Entry> written = writeWhilePartitioned(cluster, run);
        Map<String, Entry> missed = lagging(cluster, written);
        long repairedBefore = sum(cluster, m -> m.antiEntropyKeysRepaired.sum());

        assertThat(cluster.runUntilSettled(() -> lagging(cluster, written).isEmpty(), Duration.ofMinutes(5)))
                .as("%s: anti-entropy repaired %s", run, LAGGING).isTrue();
        assertThat(sum(cluster, m -> m.antiEntropyKeysRepaired.sum()) - repairedBefore).as(run)
                .isGreaterThanOrEqualTo(missed.size());
        assertThat(sum(cluster, m -> m.readRepairs.sum())).as(run).isZero();
        assertHoldsEveryWrite(cluster, written, run);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void withAllThreePathsOffAStaleReplicaStaysStale(long seed) {
        String run = Seeds.describe(RepairPathsTest.class, "RepairPathsTest.allOff", seed);
        System.out.println(run);
        SimCluster cluster = cluster(seed, c -> { });
        Map<String, Entry> written = writeWhilePartitioned(cluster, run);
        Map<String, Entry> missed = lagging(cluster, written);

        cluster.runFor(Duration.ofMinutes(10));

        assertThat(lagging(cluster, written)).as("%s: still stale on %s after 10 minutes", run, LAGGING).isEqualTo(missed);
        assertThat(sum(cluster, m -> m.antiEntropyKeysRepaired.sum() + m.readRepairs.sum() + m.hintsReplayed.sum()))
                .as(run).isZero();
    }

    /** Five nodes, RF 3, all three repair paths off, then {@code enable} switches one on. */
    private static SimCluster cluster(long seed, Consumer<ClusterConfig.Builder> enable) {
        return SimCluster.builder().nodes(5).replicas(3).seed(seed)
                .config(c -> c.handoff(c.handoff().withEnabled(false))
                        .repair(c.repair().withAntiEntropyEnabled(false))
                        .readRepairChance(0))
                .config(enable)
                .start();
    }

    /**
     * Cuts {@link #LAGGING} off, writes every key at QUORUM, heals, and waits until every node
     * sees every other up again (so that a read at ALL reaches all three replicas).
     */
    private static Map<String, Entry> writeWhilePartitioned(SimCluster cluster, String run) {
        cluster.partition(Set.of(LAGGING));
        Map<String, Entry> written = writeAll(cluster);
        cluster.heal();
        assertThat(cluster.runUntilSettled(() -> everyNodeSeesEveryNodeUp(cluster), Duration.ofMinutes(1)))
                .as("%s: the partition healed in every node's view", run).isTrue();
        assertThat(lagging(cluster, written)).as("%s: keys %s missed", run, LAGGING).hasSameSizeAs(written);
        return written;
    }

    /** Writes {@link #KEYS} keys of which {@link #LAGGING} is a replica, at QUORUM; returns what each write stored. */
    private static Map<String, Entry> writeAll(SimCluster cluster) {
        SimClient client = cluster.client(COORDINATOR);
        Map<String, Entry> written = new LinkedHashMap<>();
        for (int i = 0; written.size() < KEYS; i++) {
            String key = "key" + i;
            if (!replicasOf(cluster, key).contains(LAGGING)) {
                continue;
            }
            String value = "value" + i + "-seed" + cluster.seed();
            written.put(key, Entry.value(bytes(value), client.put(key, value, Consistency.QUORUM).version()));
        }
        return written;
    }

    /** The writes {@link #LAGGING}'s own storage does not hold (absent, or an older version). */
    private static Map<String, Entry> lagging(SimCluster cluster, Map<String, Entry> written) {
        Map<String, Entry> stale = new LinkedHashMap<>();
        written.forEach((key, entry) -> {
            if (!entry.equals(cluster.localEntry(LAGGING, key))) {
                stale.put(key, entry);
            }
        });
        return stale;
    }

    /** Every replica's own storage holds exactly what was written, same value and version. */
    private static void assertHoldsEveryWrite(SimCluster cluster, Map<String, Entry> written, String run) {
        written.forEach((key, entry) -> {
            for (NodeId replica : replicasOf(cluster, key)) {
                assertThat(cluster.localEntry(replica, key)).as("%s: %s on %s", run, key, replica).isEqualTo(entry);
            }
        });
    }

    /**
     * Waits until some node keeps a hint of each write {@link #LAGGING} missed: a QUORUM write
     * is answered by the two live replicas before the one to the crashed replica times out
     * and is kept as a hint (or a stand-in keeps it).
     */
    private static void awaitAHintOfEach(SimCluster cluster, Map<String, Entry> missed, String run) {
        cluster.runUntilSettled(() -> missed.keySet().stream().allMatch(key -> !hintHolders(cluster, key).isEmpty()),
                Duration.ofSeconds(10));
        for (String key : missed.keySet()) {
            assertThat(hintHolders(cluster, key)).as("%s: nodes keeping a hint of %s for %s", run, key, LAGGING).isNotEmpty();
        }
        assertThat(pendingHints(cluster)).as(run).isGreaterThanOrEqualTo(missed.size());
    }

    private static List<NodeId> hintHolders(SimCluster cluster, String key) {
        byte[] bytes = bytes(key);
        int partition = cluster.ring().partitionOf(bytes);
        return cluster.upNodes().stream()
                .filter(n -> cluster.node(n).handoff().store().get(LAGGING, partition, bytes) != null)
                .toList();
    }

    private static long pendingHints(SimCluster cluster) {
        return cluster.upNodes().stream().mapToLong(n -> cluster.node(n).handoff().store().count()).sum();
    }

    private static boolean everyNodeSeesEveryNodeUp(SimCluster cluster) {
        for (NodeId observer : cluster.nodeIds()) {
            for (NodeId peer : cluster.nodeIds()) {
                if (!cluster.node(observer).isUp(peer)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A counter summed over the running nodes (a crashed node's counters die with it). */
    private static long sum(SimCluster cluster, Function<NodeCounters, Long> counter) {
        return cluster.upNodes().stream().mapToLong(n -> counter.apply(cluster.node(n).metrics())).sum();
    }

    private static List<NodeId> replicasOf(SimCluster cluster, String key) {
        return cluster.ring().replicasOf(bytes(key));
    }

    private static String valueOf(Entry entry) {
        return new String(entry.value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
