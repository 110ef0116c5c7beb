package io.dkv.cli;

import org.awaitility.Awaitility;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load of the process tests: unique values to consecutive keys ({@code key-i} =
 * {@code value-i}) at QUORUM, alternating between two nodes that the test never faults,
 * recording every write that was not acknowledged.
 */
final class QuorumWriter implements Runnable {

    final AtomicLong written = new AtomicLong();
    final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ProcessCluster cluster;
    private final int first;
    private final int second;

    QuorumWriter(ProcessCluster cluster, int first, int second) {
        this.cluster = cluster;
        this.first = first;
        this.second = second;
    }

    @Override
    public void run() {
        try (Jedis a = connect(cluster, first); Jedis b = connect(cluster, second)) {
            while (running.get()) {
                long i = written.get();
                Jedis client = i % 2 == 0 ? a : b;
                try {
                    String reply = client.set("key-" + i, "value-" + i);
                    if (!"OK".equals(reply)) {
                        failures.add("key-" + i + ": " + reply);
                    }
                } catch (RuntimeException e) {
                    failures.add("key-" + i + ": " + e);
                }
                written.incrementAndGet();
            }
        }
    }

    /** Waits until {@code more} writes went through, or one failed. */
    void awaitMoreWrites(long more) {
        long target = written.get() + more;
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> written.get() >= target || !failures.isEmpty());
    }

    void stop() {
        running.set(false);
    }

    /**
     * Checks, through node {@code via}, that every write went through ({@code key-i} reads
     * {@code value-i} at QUORUM) and that a sample of keys is replicated on exactly
     * {@code replicas} (DKV.REPLICAS); returns how many writes were checked.
     */
    long assertAllReadBackOn(int via, String... replicas) {
        long count = written.get();
        try (Jedis jedis = connect(cluster, via)) {
            for (long i = 0; i < count; i++) {
                assertThat(jedis.get("key-" + i)).as("key-%d of %d", i, count).isEqualTo("value-" + i);
            }
            for (long i = 0; i < count; i += Math.max(1, count / 50)) {
                Object rows = jedis.sendCommand(() -> "DKV.REPLICAS".getBytes(StandardCharsets.UTF_8), "key-" + i);
                Set<String> nodes = new HashSet<>();
                for (Object row : (List<?>) rows) {
                    nodes.add(new String((byte[]) ((List<?>) row).get(0), StandardCharsets.UTF_8));
                }
                assertThat(nodes).as("replicas of key-%d", i).containsExactlyInAnyOrder(replicas);
            }
        }
        return count;
    }

    /** A Jedis connection to node {@code node} whose reads and writes are at QUORUM. */
    static Jedis connect(ProcessCluster cluster, int node) {
        Jedis jedis = new Jedis("127.0.0.1", cluster.respPort(node), 20_000);
        jedis.sendCommand(() -> "DKV.CONSISTENCY".getBytes(StandardCharsets.UTF_8), "QUORUM");
        return jedis;
    }

    /** A peer's state as {@code observer} sees it, from DKV.STATUS (what dkv status prints). */
    static String stateOf(ProcessCluster cluster, int observer, String peer) throws IOException {
        try (Jedis jedis = new Jedis("127.0.0.1", cluster.respPort(observer), 5_000)) {
            Object rows = jedis.sendCommand(() -> "DKV.STATUS".getBytes(StandardCharsets.UTF_8));
            for (Object row : (List<?>) rows) {
                List<?> fields = (List<?>) row;
                if (new String((byte[]) fields.get(0), StandardCharsets.UTF_8).equals(peer)) {
                    return new String((byte[]) fields.get(1), StandardCharsets.UTF_8);
                }
            }
            throw new IOException("n" + observer + " does not list " + peer);
        }
    }
}
