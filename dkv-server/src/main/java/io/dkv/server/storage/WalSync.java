package io.dkv.server.storage;

import io.dkv.core.DkvException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fsyncs the write-ahead log on a thread of its own, for many writes at once.
 *
 * <p>Writes reach the log unsynced (in the operating system's cache: a killed process loses
 * nothing). With {@code sync: always} a replica answers a write only after
 * {@link #whenDurable()} completes; that asks this thread for a sync, and one fsync answers
 * every write made before it began, from every event loop (group commit: while one fsync
 * runs the next batch gathers, so throughput grows with concurrency instead of being one
 * write per fsync). With {@code sync: periodic} {@link #whenDurable()} completes at once and
 * the thread fsyncs every interval when something was written. In both modes a write
 * that is never waited for (a repair, a hint) is synced within the interval.
 *
 * <p>Thread-safe.
 */
final class WalSync implements AutoCloseable {

    /** Fsyncs the log; returns the log position (sequence number) now durable, or -1 when closed. */
    interface Syncer {
        long syncLog();

        /** The position of the last write made; a sync begun afterwards covers it. */
        long lastWritten();
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Syncer syncer;
    private final boolean waitForSync;
    private final long intervalMillis;
    private final Thread thread;
    private List<CompletableFuture<Void>> waiting = new ArrayList<>();
    private long syncedPosition;
    private long syncs;
    private boolean closed;

    /**
     * @param waitForSync    true for {@code sync: always}: {@link #whenDurable()} waits for an fsync
     * @param intervalMillis the most a write stays unsynced when nobody waits for it
     */
    WalSync(String name, Syncer syncer, boolean waitForSync, long intervalMillis) {
        this.syncer = syncer;
        this.waitForSync = waitForSync;
        this.intervalMillis = intervalMillis;
        this.syncedPosition = syncer.lastWritten();
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes once every write made before this call is fsynced (at once with {@code sync: periodic}). */
    CompletableFuture<Void> whenDurable() {
        if (!waitForSync) {
            return DONE;
        }
        long position = syncer.lastWritten();
        synchronized (this) {
            if (position <= syncedPosition) {
                return DONE;
            }
            if (closed) {
                return CompletableFuture.failedFuture(new StorageException("storage closed before the write was synced"));
            }
            CompletableFuture<Void> durable = new CompletableFuture<>();
            waiting.add(durable);
            if (waiting.size() == 1) {
                notifyAll();
            }
            return durable;
        }
    }

    /** How many fsyncs this thread has made. */
    synchronized long syncs() {
        return syncs;
    }

    /** The log position was reset (the database was reopened): positions up to it are durable. */
    synchronized void reset(long position) {
        syncedPosition = position;
    }

    /** Makes a last sync for anyone waiting, then stops the thread. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            List<CompletableFuture<Void>> batch;
            boolean last;
            synchronized (this) {
                if (waiting.isEmpty() && !closed) {
                    try {
                        wait(intervalMillis);
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                batch = waiting;
                waiting = new ArrayList<>();
                last = closed;
            }
            sync(batch);
            if (last) {
                return;
            }
        }
    }

    /** One fsync for the whole batch (and for writes nobody waits for). */
    private void sync(List<CompletableFuture<Void>> batch) {
        long position;
        try {
            if (syncer.lastWritten() == syncedPosition()) {
                batch.forEach(durable -> durable.complete(null));
                return;
            }
            position = syncer.syncLog();
        } catch (DkvException e) {
            batch.forEach(durable -> durable.completeExceptionally(e));
            return;
        } catch (RuntimeException e) {
            StorageException failure = new StorageException("cannot sync the write-ahead log: " + e, e);
            batch.forEach(durable -> durable.completeExceptionally(failure));
            return;
        }
        if (position < 0) {
            StorageException closedFailure = new StorageException("storage closed before the write was synced");
            batch.forEach(durable -> durable.completeExceptionally(closedFailure));
            return;
        }
        synchronized (this) {
            syncedPosition = Math.max(syncedPosition, position);
            syncs++;
        }
        batch.forEach(durable -> durable.complete(null));
    }

    private synchronized long syncedPosition() {
        return syncedPosition;
    }
}
