package io.dkv.testkit.sim;

import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.version.Version;
import io.dkv.testkit.Seeds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Many coordinators write one key at the same moment; every replica must end with the same, newest entry. */
class ConcurrentWritersTest {

    static LongStream seeds() {
        return Seeds.seeds();
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void replicasConvergeOnTheHighestVersion(long seed) {
        System.out.println(Seeds.describe(ConcurrentWritersTest.class, "ConcurrentWritersTest", seed));
        SimCluster cluster = SimCluster.builder().nodes(6).replicas(3).seed(seed)
                .network(n -> n.latency(1, 40).duplicateRate(0.05)).start();
        byte[] key = "contended".getBytes(StandardCharsets.UTF_8);
        List<CompletableFuture<WriteResult>> writes = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            for (NodeId coordinator : cluster.nodeIds()) {
                byte[] value = (coordinator + "-" + round).getBytes(StandardCharsets.UTF_8);
                writes.add(cluster.client(coordinator).putAsync(key, value, Consistency.ONE));
            }
            cluster.runFor(Duration.ofMillis(cluster.simulation().random().nextInt(5)));
        }
        cluster.runUntil(() -> writes.stream().allMatch(CompletableFuture::isDone), Duration.ofMinutes(1));
        cluster.runFor(Duration.ofSeconds(5));

        Version highest = writes.stream().map(CompletableFuture::join).map(WriteResult::version)
                .max(Version::compareTo).orElseThrow();
        List<Entry> stored = cluster.ring().replicasOf(key).stream().map(n -> cluster.localEntry(n, key)).toList();
        assertThat(stored).as(Seeds.describe(ConcurrentWritersTest.class, "ConcurrentWritersTest", seed)).allSatisfy(entry -> {
            assertThat(entry).isEqualTo(stored.get(0));
            assertThat(entry.version()).isEqualTo(highest);
        });
        String expected = new String(stored.get(0).value(), StandardCharsets.UTF_8);
        for (NodeId coordinator : cluster.nodeIds()) {
            assertThat(cluster.client(coordinator).get("contended", Consistency.ONE)).isEqualTo(expected);
        }
    }
}
