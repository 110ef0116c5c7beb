package io.dkv.server.storage;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalSyncTest {

    /** A log whose fsync can be held until the test lets it go. */
    private static final class FakeLog implements WalSync.Syncer {
        final AtomicLong written = new AtomicLong();
        final AtomicInteger syncs = new AtomicInteger();
        final CountDownLatch firstSyncStarted = new CountDownLatch(1);
        volatile CountDownLatch hold = new CountDownLatch(0);
        volatile RuntimeException failure;

        long write() {
            return written.incrementAndGet();
        }

        @Override
        public long syncLog() {
            long position = written.get();
            firstSyncStarted.countDown();
            try {
                hold.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failure != null) {
                throw failure;
            }
            syncs.incrementAndGet();
            return position;
        }

        @Override
        public long lastWritten() {
            return written.get();
        }
    }

    @Test
    void writesThatArriveDuringAnFsyncShareTheNextOne() throws Exception {
        FakeLog log = new FakeLog();
        log.hold = new CountDownLatch(1);
        try (WalSync sync = new WalSync("test-wal-sync", log, true, 60_000)) {
            log.write();
            CompletableFuture<Void> first = sync.whenDurable();
            assertThat(log.firstSyncStarted.await(10, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<Void>> gathered = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                log.write();
                gathered.add(sync.whenDurable());
            }
            assertThat(first).isNotDone();
            assertThat(gathered).noneMatch(CompletableFuture::isDone);

            log.hold.countDown();
            CompletableFuture.allOf(gathered.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(first).isCompleted();
            assertThat(log.syncs.get()).as("one fsync for the first write, one for the twenty behind it").isEqualTo(2);
            assertThat(sync.syncs()).isEqualTo(2);
        }
    }

    @Test
    void nothingWrittenSinceTheLastSyncIsDurableAtOnce() throws Exception {
        FakeLog log = new FakeLog();
        try (WalSync sync = new WalSync("test-wal-sync", log, true, 60_000)) {
            log.write();
            sync.whenDurable().get(10, TimeUnit.SECONDS);

            assertThat(sync.whenDurable()).isCompleted();
            assertThat(log.syncs.get()).isEqualTo(1);
        }
    }

    @Test
    void aFailedFsyncFailsEveryWriteWaitingForIt() {
        FakeLog log = new FakeLog();
        log.failure = new StorageException("n1: cannot sync the write-ahead log: disk on fire");
        try (WalSync sync = new WalSync("test-wal-sync", log, true, 60_000)) {
            log.write();
            CompletableFuture<Void> durable = sync.whenDurable();

            assertThatThrownBy(() -> durable.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StorageException.class)
                    .hasMessageContaining("disk on fire");
            log.failure = null;
            sync.whenDurable().join();
            assertThat(log.syncs.get()).as("the next write is synced once the log works again").isEqualTo(1);
        }
    }

    @Test
    void periodicAnswersAtOnceAndSyncsWithinTheInterval() {
        FakeLog log = new FakeLog();
        try (WalSync sync = new WalSync("test-wal-sync", log, false, 20)) {
            log.write();

            assertThat(sync.whenDurable()).isCompleted();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> log.syncs.get() == 1);
            // Nothing written since: the intervals that follow do not fsync.
            Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                    .until(() -> log.syncs.get() == 1);
        }
    }

    @Test
    void closingSyncsWhatIsWaiting() throws Exception {
        FakeLog log = new FakeLog();
        log.hold = new CountDownLatch(1);
        WalSync sync = new WalSync("test-wal-sync", log, true, 60_000);
        log.write();
        CompletableFuture<Void> first = sync.whenDurable();
        assertThat(log.firstSyncStarted.await(10, TimeUnit.SECONDS)).isTrue();
        log.write();
        CompletableFuture<Void> second = sync.whenDurable();

        log.hold.countDown();
        sync.close();

        assertThat(first).isCompleted();
        assertThat(second).isCompleted();
        assertThat(log.syncs.get()).isEqualTo(2);
        assertThat(sync.whenDurable()).as("nothing written since").isCompleted();
        log.write();
        assertThatThrownBy(() -> sync.whenDurable().get(1, TimeUnit.SECONDS))
                .hasMessageContaining("closed before the write was synced");
    }
}
