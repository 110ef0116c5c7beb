package io.dkv.testkit.sim;

import io.dkv.cluster.runtime.Cancellable;

import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The simulated world: one thread, virtual time in milliseconds, and a queue of events
 * ordered by time and then by the order they were scheduled. Given the same seed and the
 * same calls, a run is identical every time.
 *
 * <p>Not thread-safe: everything happens on the thread that drives it.
 */
public final class Simulation {

    private final long seed;
    private final SplittableRandom random;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long now;
    private long sequence;
    private long eventsRun;

    public Simulation(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    public long seed() {
        return seed;
    }

    /** Virtual milliseconds since the simulation started. */
    public long now() {
        return now;
    }

    public long eventsRun() {
        return eventsRun;
    }

    /** A new independent random stream, derived deterministically from the seed. */
    public SplittableRandom splitRandom() {
        return random.split();
    }

    /** The simulation's own random stream (for network faults and test choices). */
    public SplittableRandom random() {
        return random;
    }

    public Cancellable schedule(long delayMillis, Runnable task) {
        Event event = new Event(now + Math.max(0, delayMillis), sequence++, task);
        queue.add(event);
        return event;
    }

    /** Runs every event due up to {@code millis} from now, then sets the clock to that time. */
    public void runFor(long millis) {
        long until = now + millis;
        while (!queue.isEmpty() && queue.peek().at <= until) {
            runNext();
        }
        now = until;
    }

    /**
     * Runs events until {@code condition} holds, the queue empties, or {@code maxMillis} of
     * virtual time pass.
     *
     * @return whether the condition holds
     */
    public boolean runUntil(BooleanSupplier condition, long maxMillis) {
        long deadline = now + maxMillis;
        while (!condition.getAsBoolean()) {
            Event next = queue.peek();
            if (next == null || next.at > deadline) {
                now = Math.max(now, Math.min(deadline, next == null ? deadline : next.at));
                return condition.getAsBoolean();
            }
            runNext();
        }
        return true;
    }

    private void runNext() {
        Event event = queue.poll();
        now = event.at;
        if (!event.cancelled) {
            eventsRun++;
            event.task.run();
        }
    }

    private static final class Event implements Comparable<Event>, Cancellable {
        private final long at;
        private final long order;
        private final Runnable task;
        private boolean cancelled;

        Event(long at, long order, Runnable task) {
            this.at = at;
            this.order = order;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }
}
