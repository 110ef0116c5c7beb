package io.dkv.cluster.membership.register;

/**
 * A {@link RingRegisterStore} in memory: for the simulator, where an object that outlives a
 * node's incarnation stands for its disk, and for nodes whose data does not outlive the
 * process anyway.
 *
 * <p>Thread-safe (the field is volatile; state values are immutable).
 */
public final class MemoryRingRegisterStore implements RingRegisterStore {

    private volatile AcceptorState state;
    private volatile long saves;

    @Override
    public AcceptorState load() {
        return state;
    }

    @Override
    public void save(AcceptorState state) {
        this.state = state;
        saves++;
    }

    /** How many times a state was saved (for tests). */
    public long saves() {
        return saves;
    }
}
