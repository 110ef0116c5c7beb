package io.dkv.cluster.repair;

import io.dkv.cluster.runtime.Clock;

/**
 * A token bucket in bytes: refills at a fixed rate, holds at most one second's worth, and
 * may go into debt by one large transfer (which then waits until it is paid back). What
 * keeps background repair from taking the bandwidth clients need.
 *
 * <p>Thread-safe: all methods are synchronized (called a few times per repair exchange).
 */
public final class ByteBudget {

    private final Clock clock;
    private final long bytesPerSecond;
    private double available;
    private long refilledAtMillis;

    public ByteBudget(Clock clock, long bytesPerSecond) {
        this.clock = clock;
        this.bytesPerSecond = bytesPerSecond;
        this.available = bytesPerSecond;
        this.refilledAtMillis = clock.monotonicMillis();
    }

    /** Whether a transfer may start now (the bucket is not in debt). */
    public synchronized boolean mayStart() {
        refill();
        return available > 0;
    }

    /** Records bytes moved. */
    public synchronized void spend(long bytes) {
        refill();
        available -= bytes;
    }

    /** How long until a transfer may start: 0 when it may now, else until the debt is paid back. */
    public synchronized long millisUntilAvailable() {
        refill();
        return available > 0 ? 0 : 1 + (long) Math.ceil(-available * 1000.0 / bytesPerSecond);
    }

    private void refill() {
        long now = clock.monotonicMillis();
        if (now > refilledAtMillis) {
            available = Math.min(bytesPerSecond, available + (now - refilledAtMillis) * (bytesPerSecond / 1000.0));
            refilledAtMillis = now;
        }
    }
}
