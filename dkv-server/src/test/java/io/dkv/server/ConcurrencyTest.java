package io.dkv.server;

import io.dkv.testkit.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Many clients at once on a real 3-node cluster (RF 3): 32 writers spread over the nodes,
 * each doing a fixed number of mixed SET/GET on keys only it writes, and remembering the
 * last value a node acknowledged for each of them. With writes and reads at QUORUM and one
 * writer per key, every read must return exactly that value: during the run (through the
 * writer's own node, or through another node, where only quorum overlap makes it true) and
 * after it, through a random node.
 */
class ConcurrencyTest {

    private static final int WRITERS = 32;
    private static final int OPERATIONS_PER_WRITER = 400;
    private static final int KEYS_PER_WRITER = 20;
    private static final long SEED = 20_261_126L;

    private static LocalCluster cluster;
    private static int basePort;

    @BeforeAll
    static void start() {
        basePort = Ports.freeBasePort(3);
        // A generous replica timeout: 64 busy connections on a 2-core machine must not turn slow answers into failures.
        cluster = LocalCluster.start(3, 3, basePort, settings -> settings.set("replica-timeout-ms", "10000"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyKeyEndsAtItsLastAcknowledgedValue() throws Exception {
        System.out.println("ConcurrencyTest seed=" + SEED + ": " + WRITERS + " writers x "
                + OPERATIONS_PER_WRITER + " operations");
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        CountDownLatch ready = new CountDownLatch(WRITERS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Map<String, String>>> writers = new ArrayList<>();
        try {
            for (int writer = 0; writer < WRITERS; writer++) {
                int id = writer;
                writers.add(pool.submit(() -> runWriter(id, ready, go)));
            }
            assertThat(ready.await(60, TimeUnit.SECONDS)).as("all writers connected").isTrue();
            go.countDown();

            Map<String, String> acknowledged = new HashMap<>();
            for (Future<Map<String, String>> writer : writers) {
                acknowledged.putAll(await(writer));
            }
            assertThat(acknowledged).hasSize(WRITERS * KEYS_PER_WRITER);
            assertThat(acknowledged.values()).as("some keys were written").anyMatch(value -> value != null);

            SplittableRandom random = new SplittableRandom(SEED);
            Jedis[] readers = {client(1), client(2), client(3)};
            try {
                for (Jedis reader : readers) {
                    reader.sendCommand(() -> bytes("DKV.CONSISTENCY"), "QUORUM");
                }
                for (Map.Entry<String, String> key : acknowledged.entrySet()) {
                    int node = random.nextInt(3);
                    assertThat(readers[node].get(key.getKey()))
                            .as("%s read through n%d after the run", key.getKey(), node + 1)
                            .isEqualTo(key.getValue());
                }
            } finally {
                for (Jedis reader : readers) {
                    reader.close();
                }
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("writer threads ended").isTrue();
        }
    }

    /**
     * One writer's work: SET (through its home node) or GET (through its home node or the
     * next one) on a random one of its own keys, checking every GET against what it last
     * wrote. Returns each key's last acknowledged value (null: never written).
     */
    private static Map<String, String> runWriter(int writer, CountDownLatch ready, CountDownLatch go)
            throws InterruptedException {
        SplittableRandom random = new SplittableRandom(SEED * 31 + writer);
        Map<String, String> acknowledged = new HashMap<>();
        for (int k = 0; k < KEYS_PER_WRITER; k++) {
            acknowledged.put(key(writer, k), null);
        }
        int home = 1 + writer % 3;
        int away = 1 + (writer + 1) % 3;
        try (Jedis jedis = client(home); Jedis elsewhere = client(away)) {
            jedis.sendCommand(() -> bytes("DKV.CONSISTENCY"), "QUORUM");
            elsewhere.sendCommand(() -> bytes("DKV.CONSISTENCY"), "QUORUM");
            ready.countDown();
            go.await();
            for (int op = 0; op < OPERATIONS_PER_WRITER; op++) {
                String key = key(writer, random.nextInt(KEYS_PER_WRITER));
                if (random.nextBoolean()) {
                    String value = key + "-v" + op + "-" + "x".repeat(random.nextInt(200));
                    String reply = jedis.set(key, value);
                    if (!"OK".equals(reply)) {
                        throw new AssertionError("SET " + key + " through n" + home + " answered " + reply);
                    }
                    acknowledged.put(key, value);
                } else {
                    boolean atHome = random.nextBoolean();
                    String read = (atHome ? jedis : elsewhere).get(key);
                    String expected = acknowledged.get(key);
                    if (expected == null ? read != null : !expected.equals(read)) {
                        throw new AssertionError("writer " + writer + " op " + op + ": GET " + key + " through n"
                                + (atHome ? home : away) + " returned " + abbreviate(read)
                                + ", but the last write n" + home + " acknowledged was " + abbreviate(expected));
                    }
                }
            }
        }
        return acknowledged;
    }

    private static <T> T await(Future<T> future) throws InterruptedException {
        try {
            return future.get(5, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            throw new AssertionError("a writer failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            return fail("a writer did not finish within 5 minutes");
        }
    }

    private static String key(int writer, int index) {
        return "c" + writer + "-k" + index;
    }

    private static String abbreviate(String value) {
        return value == null ? "(nil)" : value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }

    private static Jedis client(int node) {
        return new Jedis("127.0.0.1", basePort + node - 1, 30_000);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
