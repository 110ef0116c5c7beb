package io.dkv.cluster;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.cluster.handoff.MemoryHintStore;
import io.dkv.cluster.runtime.Cancellable;
import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.RequestTransport;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.message.Message;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.EntryVisitor;
import io.dkv.core.storage.ForwardingStorageEngine;
import io.dkv.core.storage.MemoryStorageEngine;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A node that starts on a store that already holds data serves at once and builds its hash trees afterwards. */
class ClusterNodeStartTest {

    @Test
    void aNodeStartedOnExistingDataServesBeforeItsTreesAreBuiltAndBuildsThemOnItsScheduler() {
        ClusterConfig config = ClusterConfig.builder().nodes(1).replicas(1).build();
        Ring ring = config.buildRing();
        AtomicInteger scans = new AtomicInteger();
        CountingScans engine = new CountingScans(MemoryStorageEngine.unlimited(ring.partitionCount()), scans);
        for (int i = 0; i < 1_000; i++) {
            byte[] key = ("key-" + i).getBytes(StandardCharsets.UTF_8);
            engine.merge(ring.partitionOf(key), key, Entry.value(("value-" + i).getBytes(StandardCharsets.UTF_8),
                    new Version(1_000 + i, 1)));
        }
        ManualScheduler scheduler = new ManualScheduler();
        ClusterNode node = new ClusterNode(new NodeContext(NodeId.of(1), config, engine, new MemoryHintStore(100, 1 << 20),
                new FixedClock(), scheduler, new SplittableRandom(1), new NoPeers()), ring);
        node.start();

        assertThat(scans).as("partitions scanned before the scheduler ran anything").hasValue(0);
        assertThat(node.status().merkleTreesBuilt()).isZero();
        assertThat(node.status().merkleTreesBuiltInMillis()).isEqualTo(-1);
        CompletableFuture<byte[]> read = node.get("key-7".getBytes(StandardCharsets.UTF_8), Consistency.ONE);
        assertThat(read).isCompleted();
        assertThat(new String(read.join(), StandardCharsets.UTF_8)).isEqualTo("value-7");

        scheduler.runOneShotTasks();

        assertThat(node.status().merkleTreesBuilt()).isEqualTo(ring.partitionCount());
        assertThat(node.status().merkleTreesBuiltInMillis()).isNotNegative();
        assertThat(scans).as("one scan per partition").hasValue(ring.partitionCount());
        node.stop();
    }

    /** A store that counts the partition scans made of it. */
    private static final class CountingScans extends ForwardingStorageEngine {

        private final AtomicInteger scans;

        CountingScans(StorageEngine delegate, AtomicInteger scans) {
            super(delegate);
            this.scans = scans;
        }

        @Override
        public void forEachEntry(int partition, EntryVisitor visitor) {
            scans.incrementAndGet();
            delegate().forEachEntry(partition, visitor);
        }
    }

    /** Runs on demand the one-shot tasks (immediate or delayed, in the order handed in); periodic ones never run. */
    private static final class ManualScheduler implements Scheduler {
        private final Queue<Runnable> oneShot = new ArrayDeque<>();

        void runOneShotTasks() {
            for (Runnable task = oneShot.poll(); task != null; task = oneShot.poll()) {
                task.run();
            }
        }

        @Override
        public void execute(Runnable task) {
            oneShot.add(task);
        }

        @Override
        public Cancellable schedule(long delayMillis, Runnable task) {
            oneShot.add(task);
            return () -> oneShot.remove(task);
        }

        @Override
        public Cancellable scheduleAtFixedRate(long initialDelayMillis, long periodMillis, Runnable task) {
            return () -> { };
        }
    }

    private static final class FixedClock implements Clock {
        @Override
        public long wallMillis() {
            return 1_700_000_000_000L;
        }

        @Override
        public long monotonicMillis() {
            return 0;
        }

        @Override
        public long monotonicNanos() {
            return 0;
        }
    }

    private static final class NoPeers implements RequestTransport {

        @Override
        public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
            return CompletableFuture.failedFuture(new IllegalStateException("a one-node cluster asks no peer"));
        }
    }
}
