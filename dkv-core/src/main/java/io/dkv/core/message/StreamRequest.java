package io.dkv.core.message;

/**
 * Streaming, asked by a partition's new replica of one that holds it: the partition's next
 * entries in stream order ({@code io.dkv.core.storage.StreamOrder}), answered with a
 * {@link StreamChunk}.
 *
 * @param partition the partition being copied
 * @param after     the last key the asker received, or {@code null} to start from the first
 * @param maxBytes  roughly how many bytes of keys and entries the chunk may hold (a chunk
 *                  always holds at least one entry, however large, so that a stream moves)
 * @param epoch     the ring epoch that moves the partition to the asker: the source answers
 *                  only once it routes by that epoch too, so that from then on it refuses
 *                  writes routed by older rings and its copy misses none it acknowledged
 */
public record StreamRequest(int partition, byte[] after, int maxBytes, long epoch) implements Message {

    public StreamRequest {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must not be negative: " + partition);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
    }
}
