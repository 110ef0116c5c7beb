package io.dkv.cluster.coordinator;

import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.Scheduler;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs each read's speculation when its delay is up, with one timer for all the reads in
 * flight instead of one per read.
 *
 * <p>Why not {@link Scheduler#schedule} per read: reads are coordinated on the client's event
 * loop, the scheduler is the node's loop, and scheduling a task on another Netty loop wakes
 * it (a syscall) for every read: the cross-thread hand-off per request that the threading
 * design (docs/ARCHITECTURE.md, "Threading") removed elsewhere. Here a read only appends to
 * a lock-free queue; the sweep, armed at most once per delay, runs on the scheduler and takes every
 * entry that is due. Entries are taken in arrival order: when the delay shrinks, an entry
 * may wait behind an older one with a longer delay, so a speculation can come late by the
 * difference, never early. Entries whose read completed meanwhile run as no-ops.
 *
 * <p>Thread-safe: {@link #add} from any thread; the sweep runs on the scheduler's one thread.
 */
final class SpeculationTimer {

    private record Due(long atMillis, Runnable task) {
    }

    private final Clock clock;
    private final Scheduler scheduler;
    private final ConcurrentLinkedQueue<Due> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean armed = new AtomicBoolean();

    SpeculationTimer(Clock clock, Scheduler scheduler) {
        this.clock = clock;
        this.scheduler = scheduler;
    }

    /** Runs {@code task} on the scheduler once {@code delayMillis} have passed (or a little later). */
    void add(long delayMillis, Runnable task) {
        queue.add(new Due(clock.monotonicMillis() + delayMillis, task));
        if (armed.compareAndSet(false, true)) {
            scheduler.schedule(delayMillis, this::sweep);
        }
    }

    private void sweep() {
        long now = clock.monotonicMillis();
        Due head;
        while ((head = queue.peek()) != null && head.atMillis() <= now) {
            queue.poll();
            try {
                head.task().run();
            } catch (RuntimeException e) {
                // One read's failure to speculate must not stop the others'; its request times out as usual.
            }
        }
        if (head != null) {
            scheduler.schedule(Math.max(1, head.atMillis() - now), this::sweep);
            return;
        }
        armed.set(false);
        // An add that found the timer armed just before it was disarmed must not be left waiting.
        Due late = queue.peek();
        if (late != null && armed.compareAndSet(false, true)) {
            scheduler.schedule(Math.max(0, late.atMillis() - now), this::sweep);
        }
    }
}
