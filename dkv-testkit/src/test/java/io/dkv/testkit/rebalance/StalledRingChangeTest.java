package io.dkv.testkit.rebalance;

import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.testkit.Seeds;
import io.dkv.testkit.sim.ReadCheck;
import io.dkv.testkit.sim.SimClient;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ring changes that lose a node in the middle, under a read/write load with message loss:
 * <ul>
 *   <li>the node driving a join dies just after the moving state is committed: the lowest
 *       live member takes the change over and finishes it, and a later change goes through;</li>
 *   <li>the joining node dies before it holds its partitions: {@code removeNode} of it
 *       abandons the change, the ring stays as it was, and a later join goes through.</li>
 * </ul>
 * Every read meanwhile is checked against the quorum guarantee ({@link ReadCheck}), and every
 * write acknowledged at QUORUM or ALL is read back at QUORUM afterwards.
 *
 * <p>CI runs seeds 1..4; {@code -Ddkv.seeds=50} runs more, {@code -Ddkv.seed=S} replays one.
 */
class StalledRingChangeTest {

    private static final int REPLICAS = 3;
    private static final int PARTITIONS = 64;
    private static final int KEYS = 60;
    /** Longer than the failure detector needs to see a crash. */
    private static final long DETECTION_MILLIS = 15_000;
    private static final long CHANGE_LIMIT_MILLIS = 120_000;

    static LongStream seeds() {
        return Seeds.seeds(4);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void aJoinWhoseDriverDiesIsFinishedByTheLowestLiveMember(long seed) {
        String run = Seeds.describe(StalledRingChangeTest.class, "aJoinWhoseDriverDiesIsFinishedByTheLowestLiveMember",
                seed);
        System.out.println(run);
        SimCluster cluster = cluster(seed);
        Load load = new Load(cluster, new SplittableRandom(seed * 13 + 5));
        load.run(3_000);

        NodeId driver = n(1 + load.random.nextInt(3));
        CompletableFuture<RingState> join = cluster.node(driver).join(n(4));
        assertThat(cluster.runUntil(() -> cluster.node(driver).rings().state().moving(), Duration.ofSeconds(30)))
                .as("the moving state is committed (%s)", run).isTrue();
        long movingEpoch = cluster.node(driver).rings().epoch();
        cluster.crash(driver);
        assertThat(join).as("the driver's own future dies with it").isNotDone();

        RingState finished = runUntilFinished(cluster, load, movingEpoch, run);
        assertThat(finished.current().nodes()).as(run).contains(n(4));
        System.out.printf("seed %d: %s drove the join and died at epoch %d; finished at epoch %d, %d ms%n", seed,
                driver, movingEpoch, finished.epoch(), cluster.simulation().now());

        cluster.restart(driver);
        load.run(DETECTION_MILLIS);
        NodeId next = driver.equals(n(2)) ? n(3) : n(2);
        change(cluster, load, cluster.node(next).join(n(5)), "n5 joins after the takeover", run);
        load.check(run);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void aJoinWhoseNewcomerDiesIsAbandonedByRemovingIt(long seed) {
        String run = Seeds.describe(StalledRingChangeTest.class, "aJoinWhoseNewcomerDiesIsAbandonedByRemovingIt", seed);
        System.out.println(run);
        SimCluster cluster = cluster(seed);
        Load load = new Load(cluster, new SplittableRandom(seed * 19 + 1));
        load.run(3_000);

        NodeId driver = n(1 + load.random.nextInt(3));
        CompletableFuture<RingState> join = cluster.node(driver).join(n(4));
        assertThat(cluster.runUntil(() -> cluster.latestRingState().moving(), Duration.ofSeconds(30)))
                .as("the moving state is committed (%s)", run).isTrue();
        cluster.crash(n(4));
        load.run(DETECTION_MILLIS);
        assertThat(join).as("n4 cannot hold its partitions while down (%s)", run).isNotDone();
        assertThat(cluster.latestRingState().moving()).as(run).isTrue();

        NodeId remover = n(1 + load.random.nextInt(3));
        assertThat(cluster.runUntil(() -> !cluster.node(remover).isUp(n(4)), Duration.ofSeconds(30))).isTrue();
        RingState abandoned = change(cluster, load, cluster.node(remover).removeNode(n(4)), "n4 is removed", run);
        assertThat(abandoned.moving()).as(run).isFalse();
        assertThat(abandoned.current().nodes()).as(run).containsExactly(n(1), n(2), n(3));
        load.run(2_000);
        assertThat(join).as("the driver's change ends (%s)", run).isDone();
        assertThat(join).as(run).isCompletedExceptionally();

        change(cluster, load, cluster.node(remover).join(n(5)), "n5 joins after the abandoned join", run);
        assertThat(cluster.ring().nodes()).as(run).containsExactly(n(1), n(2), n(3), n(5));
        load.check(run);
    }

    private static SimCluster cluster(long seed) {
        SimCluster cluster = SimCluster.builder().nodes(3).replicas(REPLICAS).seed(seed)
                .config(c -> c.partitions(PARTITIONS).replicaTimeoutMillis(300).streamBytesPerSecond(64 * 1024))
                .network(n -> n.latency(1, 10).dropRate(0.01))
                .start();
        cluster.addNode(n(4));
        cluster.addNode(n(5));
        return cluster;
    }

    /** Runs the load until some node routes by a state past {@code movingEpoch} that moves nothing. */
    private static RingState runUntilFinished(SimCluster cluster, Load load, long movingEpoch, String run) {
        long deadline = cluster.simulation().now() + CHANGE_LIMIT_MILLIS;
        while (cluster.simulation().now() < deadline) {
            RingState latest = cluster.latestRingState();
            if (latest.epoch() > movingEpoch && !latest.moving()) {
                return latest;
            }
            load.run(20);
        }
        throw new AssertionError("the change of epoch " + movingEpoch + " did not finish within "
                + CHANGE_LIMIT_MILLIS + " ms (" + run + "); latest " + cluster.latestRingState().epoch());
    }

    private static RingState change(SimCluster cluster, Load load, CompletableFuture<RingState> change, String name,
                                    String run) {
        long deadline = cluster.simulation().now() + CHANGE_LIMIT_MILLIS;
        while (!change.isDone() && cluster.simulation().now() < deadline) {
            load.run(20);
        }
        assertThat(change).as("%s (%s)", name, run).isCompleted();
        RingState state = change.join();
        System.out.printf("%s at %d ms: ring %s at epoch %d%n", name, cluster.simulation().now(),
                state.current().nodes(), state.epoch());
        return state;
    }

    /** Reads and writes through random live nodes of the ring, one every 10..30 ms, all checked. */
    private static final class Load {
        private final SimCluster cluster;
        private final SplittableRandom random;
        private final ReadCheck reads;
        private final Map<String, WriteResult> latest = new HashMap<>();
        private int unique;

        Load(SimCluster cluster, SplittableRandom random) {
            this.cluster = cluster;
            this.random = random;
            this.reads = new ReadCheck(cluster);
        }

        void run(long millis) {
            long until = cluster.simulation().now() + millis;
            while (cluster.simulation().now() < until) {
                reads.sampleFaults();
                List<NodeId> coordinators = new ArrayList<>(cluster.latestRingState().allNodes());
                coordinators.removeIf(node -> !cluster.isUp(node));
                if (!coordinators.isEmpty()) {
                    SimClient client = cluster.client(coordinators.get(random.nextInt(coordinators.size())));
                    String key = "key" + random.nextInt(KEYS);
                    int dice = random.nextInt(100);
                    Consistency level = dice % 10 == 0 ? Consistency.ALL : dice % 10 == 1 ? Consistency.ONE
                            : Consistency.QUORUM;
                    if (dice < 60) {
                        client.putAsync(bytes(key), bytes("v" + unique++), level).thenAccept(result -> {
                            reads.acknowledged(key, result, level);
                            if (level != Consistency.ONE) {
                                latest.merge(key, result,
                                        (before, now) -> before.version().compareTo(now.version()) < 0 ? now : before);
                            }
                        });
                    } else {
                        reads.read(client, key, level);
                    }
                }
                cluster.runFor(Duration.ofMillis(10 + random.nextInt(20)));
            }
        }

        /** No read broke the guarantee, and every acknowledged write reads back through every live member. */
        void check(String run) {
            run(2_000);
            reads.sampleFaults();
            // Reading back is not under test: lost messages would only fail it.
            cluster.network().dropRate(0);
            assertThat(reads.violations()).as("reads that broke the quorum guarantee (%s)", run).isEmpty();
            assertThat(reads.checkedReads()).as("reads the guarantee covered (%s)", run).isPositive();
            assertThat(latest).as(run).isNotEmpty();
            for (NodeId coordinator : cluster.ring().nodes()) {
                if (!cluster.isUp(coordinator)) {
                    continue;
                }
                for (Map.Entry<String, WriteResult> write : latest.entrySet()) {
                    Entry read = cluster.await(cluster.node(coordinator).read(bytes(write.getKey()), Consistency.QUORUM));
                    assertThat(read).as("%s via %s (%s)", write.getKey(), coordinator, run).isNotNull();
                    assertThat(read.version()).as("%s via %s (%s)", write.getKey(), coordinator, run)
                            .isGreaterThanOrEqualTo(write.getValue().version());
                }
            }
            System.out.printf("%d writes issued (the newest acknowledged at QUORUM or ALL read back for %d keys), %d reads, %d checked,"
                    + " 0 stale%n", unique, latest.size(), reads.readCount(), reads.checkedReads());
        }
    }

    private static NodeId n(int number) {
        return NodeId.of(number);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
