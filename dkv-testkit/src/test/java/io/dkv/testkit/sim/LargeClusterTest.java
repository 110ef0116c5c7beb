package io.dkv.testkit.sim;

import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import io.dkv.testkit.Seeds;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** A 1000-node cluster with RF = 3 under 100,000 random puts and gets. */
class LargeClusterTest {

    @Test
    void aThousandNodesServeAHundredThousandRequests() {
        long seed = Long.getLong("dkv.seed", 1000);
        String run = Seeds.describe(LargeClusterTest.class, "LargeClusterTest", seed);
        System.out.println(run);
        SimCluster cluster = SimCluster.builder().nodes(1000).replicas(3).seed(seed)
                .network(n -> n.latency(1, 10)).start();
        SplittableRandom random = new SplittableRandom(seed);
        int keySpace = 30_000;
        Map<Integer, WriteResult> latestWrite = new HashMap<>();
        Map<Integer, String> latestValue = new HashMap<>();
        int completed = 0;

        for (int batch = 0; batch < 100; batch++) {
            List<CompletableFuture<?>> inFlight = new ArrayList<>();
            Map<CompletableFuture<WriteResult>, Object[]> puts = new HashMap<>();
            for (int i = 0; i < 1000; i++) {
                int key = random.nextInt(keySpace);
                NodeId coordinator = NodeId.of(1 + random.nextInt(1000));
                SimClient client = cluster.client(coordinator);
                if (random.nextBoolean()) {
                    String value = "v" + batch + "-" + i;
                    CompletableFuture<WriteResult> put = client.putAsync(bytes("key" + key), bytes(value), Consistency.QUORUM);
                    puts.put(put, new Object[]{key, value});
                    inFlight.add(put);
                } else {
                    inFlight.add(client.getAsync(bytes("key" + key), Consistency.QUORUM));
                }
            }
            assertThat(cluster.runUntil(() -> inFlight.stream().allMatch(CompletableFuture::isDone), Duration.ofMinutes(1)))
                    .as(run).isTrue();
            for (CompletableFuture<?> request : inFlight) {
                assertThat(request).as(run).isCompleted();
                request.join();
                completed++;
            }
            puts.forEach((future, write) -> {
                int key = (Integer) write[0];
                WriteResult result = future.join();
                WriteResult previous = latestWrite.get(key);
                if (previous == null || result.version().isAfter(previous.version())) {
                    latestWrite.put(key, result);
                    latestValue.put(key, (String) write[1]);
                }
            });
        }
        cluster.runFor(Duration.ofSeconds(2));
        assertThat(completed).isEqualTo(100_000);

        long storedCopies = cluster.nodeIds().stream().mapToLong(n -> cluster.storage(n).keyCount()).sum();
        assertThat(storedCopies).as("key copies across all nodes").isEqualTo(3L * latestWrite.size());
        for (Map.Entry<Integer, WriteResult> write : latestWrite.entrySet()) {
            byte[] key = bytes("key" + write.getKey());
            for (NodeId replica : cluster.ring().replicasOf(key)) {
                assertThat(cluster.localEntry(replica, key)).as("%s on %s (%s)", "key" + write.getKey(), replica, run)
                        .isNotNull()
                        .satisfies(entry -> assertThat(entry.version()).isEqualTo(write.getValue().version()));
            }
        }
        SimClient reader = cluster.client();
        latestValue.entrySet().stream().limit(2_000).forEach(e ->
                assertThat(reader.get("key" + e.getKey())).as(run).isEqualTo(e.getValue()));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
