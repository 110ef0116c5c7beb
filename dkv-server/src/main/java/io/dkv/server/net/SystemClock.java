package io.dkv.server.net;

import io.dkv.cluster.runtime.Clock;

/** Real time: the system wall clock, and {@link System#nanoTime()} for intervals. */
public final class SystemClock implements Clock {

    public static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {
    }

    @Override
    public long wallMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    @Override
    public long monotonicNanos() {
        return System.nanoTime();
    }
}
