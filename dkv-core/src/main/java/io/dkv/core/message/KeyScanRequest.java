package io.dkv.core.message;

/**
 * Key scans (SCAN, KEYS, RANDOMKEY), asked of one replica of a partition: its keys
 * in hash order ({@code io.dkv.core.storage.StreamOrder}) from the first whose ring hash is
 * at least {@code fromHash}, answered with a {@link KeyScanReply}. Values stay on the
 * replica: the reply carries each key's version and whether it is a tombstone, which is
 * what the coordinator needs to merge the replicas' answers.
 *
 * @param partition the partition scanned
 * @param fromHash  the smallest ring hash (unsigned) to return
 * @param maxKeys   at most this many keys (more only to finish a run of keys sharing one hash)
 * @param maxBytes  roughly how many bytes of keys and entries the reply may hold (it holds
 *                  at least one key, however large)
 * @param epoch     the ring epoch the coordinator routes by: a replica that no longer serves
 *                  reads of the partition refuses with {@link NotMine}
 */
public record KeyScanRequest(int partition, long fromHash, int maxKeys, int maxBytes, long epoch) implements Message {

    public KeyScanRequest {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must not be negative: " + partition);
        }
        if (maxKeys < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("maxKeys and maxBytes must be positive: " + maxKeys + ", " + maxBytes);
        }
    }
}
