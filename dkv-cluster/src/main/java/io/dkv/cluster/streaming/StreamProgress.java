package io.dkv.cluster.streaming;

import io.dkv.core.NodeId;

/**
 * Where one partition's stream stands.
 *
 * @param partition      the partition being copied
 * @param source         the replica it is copied from
 * @param chunks         chunks received so far
 * @param entries        entries received and merged so far
 * @param bytes          bytes of keys and values received so far
 * @param elapsedMillis  time since the stream started (until it finished, once done)
 * @param done           whether the whole partition has been received
 */
public record StreamProgress(int partition, NodeId source, long chunks, long entries, long bytes, long elapsedMillis, boolean done) {

    /** Bytes per second over the stream so far. */
    public double bytesPerSecond() {
        return elapsedMillis == 0 ? 0 : bytes * 1000.0 / elapsedMillis;
    }
}
