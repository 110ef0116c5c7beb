package io.dkv.cluster.truncate;

/** A truncation mark kept in memory: for in-memory nodes, and for simulated disks that survive a crash. */
public final class MemoryTruncationMarkStore implements TruncationMarkStore {

    private volatile long stamp;

    @Override
    public long load() {
        return stamp;
    }

    @Override
    public void store(long stamp) {
        this.stamp = Math.max(this.stamp, stamp);
    }
}
