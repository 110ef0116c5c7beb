package io.dkv.cli.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests a run may still send, shared by all its connections: a fixed number, or
 * unlimited until {@link #stop()}. Thread-safe: connections on any event loop call
 * {@link #tryAcquire()}; the coordinating thread calls {@link #stop()}.
 */
final class RequestBudget {

    /** The requests left, or null when only {@link #stop()} ends the run. */
    private final AtomicLong remaining;
    private volatile boolean stopped;

    private RequestBudget(AtomicLong remaining) {
        this.remaining = remaining;
    }

    static RequestBudget of(RunLimit limit) {
        return new RequestBudget(limit instanceof RunLimit.Requests requests ? new AtomicLong(requests.count()) : null);
    }

    /** Takes one request from the budget; false when none is left or the run is stopping. */
    boolean tryAcquire() {
        return !stopped && (remaining == null || remaining.getAndDecrement() > 0);
    }

    /** Whether no request is left to start: the run is stopping or the count is used up. */
    boolean spent() {
        return stopped || (remaining != null && remaining.get() <= 0);
    }

    /** Lets no further request start. */
    void stop() {
        stopped = true;
    }
}
