package io.dkv.cli.bench;

/**
 * When a connection's requests are due. Closed loop: each request goes as soon as a
 * pipeline slot is free, and its latency counts from its write. Open loop ({@code --rate}):
 * requests are due at a fixed rate whatever the server does, and a request's latency
 * counts from the moment it was due, not from its write: a server that stalls makes the
 * requests queued behind the stall count their wait too. Timing from the write instead
 * would hide the stall behind the few requests in flight during it ("coordinated omission").
 *
 * <p>Not thread-safe: one connection's event loop.
 */
final class Pacing {

    private final long intervalNanos;
    private long nextDueNanos;

    private Pacing(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /** Requests go whenever a pipeline slot is free. */
    static Pacing closedLoop() {
        return new Pacing(0);
    }

    /**
     * A request every {@code intervalNanos}, the first at the time given to {@link #startAt}.
     *
     * @throws IllegalArgumentException when the interval is not positive
     */
    static Pacing every(long intervalNanos) {
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("interval (" + intervalNanos + " ns) must be positive");
        }
        return new Pacing(intervalNanos);
    }

    boolean openLoop() {
        return intervalNanos > 0;
    }

    /** The first request is due at {@code nanos}; only meaningful in open loop. */
    void startAt(long nanos) {
        nextDueNanos = nanos;
    }

    /**
     * The measured part of a run starts: no request is due before {@code nanos}. Requests
     * that fell due earlier and have not gone yet are dropped, so the backlog of a warm-up
     * (a client still compiling its code falls behind its own schedule) does not delay the
     * requests measured. A no-op in closed loop.
     */
    void restartAt(long nanos) {
        if (openLoop() && nextDueNanos - nanos < 0) {
            nextDueNanos = nanos;
        }
    }

    /** Whether the next request may go at {@code nowNanos}. */
    boolean due(long nowNanos) {
        return !openLoop() || nextDueNanos - nowNanos <= 0;
    }

    /**
     * Takes the next request and returns the time its latency counts from: {@code nowNanos}
     * in closed loop, the time it was due in open loop.
     */
    long take(long nowNanos) {
        if (!openLoop()) {
            return nowNanos;
        }
        long dueAt = nextDueNanos;
        nextDueNanos += intervalNanos;
        return dueAt;
    }

    /** Nanoseconds from {@code nowNanos} until the next request is due (0 when it is). */
    long nanosUntilDue(long nowNanos) {
        return Math.max(0, nextDueNanos - nowNanos);
    }
}
