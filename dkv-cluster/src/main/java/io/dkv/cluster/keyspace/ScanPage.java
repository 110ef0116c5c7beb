package io.dkv.cluster.keyspace;

import java.util.List;

/**
 * One step of a cluster-wide key scan.
 *
 * @param keys   the live keys found, in ring-hash order
 * @param cursor where the next step starts (a ring hash, unsigned); 0 when the scan is complete
 */
public record ScanPage(List<byte[]> keys, long cursor) {

    public ScanPage {
        keys = List.copyOf(keys);
    }

    public boolean complete() {
        return cursor == 0;
    }
}
