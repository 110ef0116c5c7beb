package io.dkv.testkit.quorum;

import io.dkv.cluster.config.SpeculativeRetry;
import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import io.dkv.core.message.ReadRequest;
import io.dkv.testkit.sim.SimClient;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which replicas a read asks (docs/ARCHITECTURE.md, "Reads: as many replicas as the level
 * needs"): as many as its level needs, the next one in place of one that fails, and one more
 * when the asked ones are slower than recent reads. Five nodes, RF 3, and a coordinator that
 * is not a replica of the key, so every replica asked is one request on the network.
 */
class ReadFanOutTest {

    private static final long TIMEOUT_MILLIS = 1_000;
    private static final String KEY = "ledger";

    private SimCluster cluster;
    private List<NodeId> replicas;
    private NodeId outsider;
    /** Read requests sent, in order, by whom to whom. */
    private final List<NodeId> readsTo = new ArrayList<>();

    private SimClient start(Consumer<io.dkv.cluster.config.ClusterConfig.Builder> adjust) {
        cluster = SimCluster.builder().nodes(5).replicas(3).seed(7)
                .config(c -> {
                    c.replicaTimeoutMillis(TIMEOUT_MILLIS).partitions(64).readRepairChance(1.0);
                    adjust.accept(c);
                })
                .start();
        replicas = cluster.ring().replicasOf(KEY.getBytes(StandardCharsets.UTF_8));
        outsider = cluster.nodeIds().stream().filter(n -> !replicas.contains(n)).findFirst().orElseThrow();
        cluster.network().onSend(sent -> {
            if (sent.message() instanceof ReadRequest && sent.from().equals(outsider)) {
                readsTo.add(sent.to());
            }
        });
        SimClient client = cluster.client(outsider);
        client.put(KEY, "v1", Consistency.ALL);
        return client;
    }

    @Test
    void aQuorumReadWithEveryReplicaUpAsksTwoOfThreeAndAllAsksThree() {
        SimClient client = start(c -> { });

        readsTo.clear();
        assertThat(client.get(KEY, Consistency.QUORUM)).isEqualTo("v1");
        cluster.runFor(java.time.Duration.ofSeconds(1));
        assertThat(readsTo).as("QUORUM on RF 3 asks two replicas, the first two in preference order")
                .containsExactly(replicas.get(0), replicas.get(1));

        readsTo.clear();
        assertThat(client.get(KEY, Consistency.ALL)).isEqualTo("v1");
        cluster.runFor(java.time.Duration.ofSeconds(1));
        assertThat(readsTo).as("ALL asks every replica").containsExactlyInAnyOrderElementsOf(replicas);

        readsTo.clear();
        assertThat(client.get(KEY, Consistency.ONE)).isEqualTo("v1");
        cluster.runFor(java.time.Duration.ofSeconds(1));
        assertThat(readsTo).as("ONE asks one").containsExactly(replicas.get(0));
        assertThat(cluster.node(outsider).metrics().speculativeReads.sum()).isZero();
    }

    @Test
    void alwaysAsksEveryReplicaAtOnce() {
        SimClient client = start(c -> c.speculativeRetry(SpeculativeRetry.DEFAULT.withPolicy("ALWAYS")));

        readsTo.clear();
        assertThat(client.get(KEY, Consistency.QUORUM)).isEqualTo("v1");
        assertThat(readsTo).containsExactlyInAnyOrderElementsOf(replicas);
    }

    /** With speculation off, only the failure of an asked replica brings in the third: the read still succeeds. */
    @Test
    void aReadWhoseAskedReplicaIsDownSucceedsThroughTheNextReplica() {
        SimClient client = start(c -> c.speculativeRetry(SpeculativeRetry.DEFAULT.withPolicy("NONE")));
        client.put(KEY, "v2", Consistency.QUORUM);
        // Crashed but not yet marked down: the router still names it, the request times out.
        cluster.crash(replicas.get(1));

        readsTo.clear();
        long started = cluster.simulation().now();
        assertThat(client.get(KEY, Consistency.QUORUM)).isEqualTo("v2");
        long took = cluster.simulation().now() - started;

        assertThat(readsTo).containsExactly(replicas.get(0), replicas.get(1), replicas.get(2));
        assertThat(took).as("the third replica is asked when the second times out").isGreaterThanOrEqualTo(TIMEOUT_MILLIS);
        assertThat(cluster.node(outsider).metrics().speculativeReads.sum()).isZero();
    }

    /** A replica that does not answer (paused, or its link cut) is raced, not waited for. */
    @Test
    void aSlowReplicaIsRacedByTheNextOneLongBeforeTheTimeout() {
        SimClient client = start(c -> { });
        // Enough reads for a latency estimate (network 1-5 ms each way).
        for (int i = 0; i < 600; i++) {
            client.get(KEY, Consistency.QUORUM);
        }
        cluster.network().block(outsider, replicas.get(1));

        readsTo.clear();
        long started = cluster.simulation().now();
        assertThat(client.get(KEY, Consistency.QUORUM)).isEqualTo("v1");
        long took = cluster.simulation().now() - started;

        assertThat(readsTo).containsExactly(replicas.get(0), replicas.get(1), replicas.get(2));
        assertThat(cluster.node(outsider).metrics().speculativeReads.sum()).isEqualTo(1);
        assertThat(took).as("speculation after the recent p99 (a few ms), not the %d ms timeout", TIMEOUT_MILLIS)
                .isLessThan(SpeculativeRetry.DEFAULT_MAX_MILLIS);
    }

    /**
     * Read repair covers the replicas a read asked: a stale replica that a QUORUM read did not
     * ask stays stale (anti-entropy, off here, is what brings it up, see AntiEntropyTest); a
     * read at ALL asks it and repairs it.
     */
    @Test
    void readRepairCoversTheReplicasAskedOnly() {
        SimClient client = start(c -> c.handoff(c.handoff().withEnabled(false))
                .repair(c.repair().withAntiEntropyEnabled(false)));
        NodeId third = replicas.get(2);
        cluster.network().block(outsider, third);
        client.put(KEY, "v2", Consistency.QUORUM);
        cluster.network().heal();
        assertThat(value(third)).isEqualTo("v1");

        assertThat(client.get(KEY, Consistency.QUORUM)).isEqualTo("v2");
        cluster.runFor(java.time.Duration.ofSeconds(2));
        assertThat(value(third)).as("not asked, not repaired").isEqualTo("v1");

        assertThat(client.get(KEY, Consistency.ALL)).isEqualTo("v2");
        cluster.runFor(java.time.Duration.ofSeconds(2));
        assertThat(value(third)).as("asked at ALL, repaired").isEqualTo("v2");
    }

    private String value(NodeId node) {
        var entry = cluster.localEntry(node, KEY);
        return entry == null || entry.value() == null ? null : new String(entry.value(), StandardCharsets.UTF_8);
    }

    /** Before any latency is known the cap applies: still well before the timeout. */
    @Test
    void withoutALatencyEstimateTheCapBoundsTheWait() {
        SimClient client = start(c -> { });
        cluster.network().block(outsider, replicas.get(0));

        readsTo.clear();
        long started = cluster.simulation().now();
        assertThat(client.get(KEY, Consistency.QUORUM)).isEqualTo("v1");
        long took = cluster.simulation().now() - started;

        assertThat(readsTo).containsExactly(replicas.get(0), replicas.get(1), replicas.get(2));
        assertThat(took).isBetween(SpeculativeRetry.DEFAULT_MAX_MILLIS, TIMEOUT_MILLIS / 2);
    }
}
