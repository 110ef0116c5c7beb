package io.dkv.testkit.sim;

import io.dkv.cluster.runtime.Clock;

/** A node's clock in the simulation: virtual time, plus a skew the test can set. */
final class SimClock implements Clock {

    /** Virtual time 0 is this wall-clock instant (2023-11-14), so stamps look like real ones. */
    static final long EPOCH_MILLIS = 1_700_000_000_000L;

    private final Simulation simulation;
    private long skewMillis;

    SimClock(Simulation simulation) {
        this.simulation = simulation;
    }

    void skew(long millis) {
        this.skewMillis = millis;
    }

    long skew() {
        return skewMillis;
    }

    @Override
    public long wallMillis() {
        return EPOCH_MILLIS + simulation.now() + skewMillis;
    }

    @Override
    public long monotonicMillis() {
        return simulation.now();
    }

    @Override
    public long monotonicNanos() {
        return simulation.now() * 1_000_000;
    }
}
