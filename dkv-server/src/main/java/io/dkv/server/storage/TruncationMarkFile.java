package io.dkv.server.storage;

import io.dkv.cluster.truncate.TruncationMarkStore;

import java.nio.file.Path;

/**
 * The node's FLUSHALL mark in its data directory: two small checksummed files written
 * alternately and forced to disk before the mark is acknowledged, exactly as the clock lease
 * ({@link ClockLeaseFile}): a torn write leaves the previous mark, which the node had not
 * acknowledged past.
 *
 * <p>Called by one thread at a time (the register serializes raises).
 */
public final class TruncationMarkFile implements TruncationMarkStore {

    static final String NAME_A = "truncation-mark-a";
    static final String NAME_B = "truncation-mark-b";

    private final ClockLeaseFile file;
    private volatile long stamp;

    private TruncationMarkFile(Path dir) {
        this.file = ClockLeaseFile.named(dir, NAME_A, NAME_B);
        this.stamp = file.floor();
    }

    /** The mark kept in {@code dir} (the files are created by the first flush). */
    public static TruncationMarkFile in(Path dir) {
        return new TruncationMarkFile(dir);
    }

    @Override
    public long load() {
        return stamp;
    }

    @Override
    public void store(long stamp) {
        file.extendTo(stamp);
        this.stamp = stamp;
    }
}
