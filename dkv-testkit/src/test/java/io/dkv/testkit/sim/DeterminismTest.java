package io.dkv.testkit.sim;

import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** A seed replays a run exactly: the property every seeded failure report relies on. */
class DeterminismTest {

    @Test
    void theSameSeedReplaysTheSameRun() {
        assertThat(trace(77)).isEqualTo(trace(77));
    }

    @Test
    void differentSeedsTakeDifferentPaths() {
        assertThat(trace(77)).isNotEqualTo(trace(78));
    }

    /** Runs a faulty workload and records everything observable about it. */
    private static List<String> trace(long seed) {
        SimCluster cluster = SimCluster.builder().nodes(7).replicas(3).seed(seed)
                .config(c -> c.replicaTimeoutMillis(300))
                .network(n -> n.latency(1, 30).dropRate(0.05).duplicateRate(0.05)).start();
        SplittableRandom random = new SplittableRandom(seed);
        List<String> trace = new ArrayList<>();
        List<CompletableFuture<?>> requests = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            if (i == 100) {
                cluster.crash(NodeId.of(3));
            }
            if (i == 200) {
                cluster.restart(NodeId.of(3));
            }
            byte[] key = ("k" + random.nextInt(40)).getBytes(StandardCharsets.UTF_8);
            SimClient client = cluster.client();
            requests.add(random.nextBoolean()
                    ? client.putAsync(key, ("v" + i).getBytes(StandardCharsets.UTF_8), Consistency.QUORUM)
                    : client.getAsync(key, Consistency.ONE));
            cluster.runFor(Duration.ofMillis(random.nextInt(10)));
        }
        cluster.runFor(Duration.ofSeconds(5));
        for (CompletableFuture<?> request : requests) {
            trace.add(!request.isDone() ? "unanswered"
                    : request.handle((value, error) -> error == null ? describe(value) : error.getMessage()).join());
        }
        for (NodeId node : cluster.nodeIds()) {
            for (int k = 0; k < 40; k++) {
                trace.add(node + ":" + cluster.localEntry(node, "k" + k));
            }
        }
        trace.add("events=" + cluster.simulation().eventsRun() + " sent=" + cluster.network().messagesSent());
        return trace;
    }

    private static String describe(Object value) {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
    }
}
