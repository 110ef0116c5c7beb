package io.dkv.core.message;

/**
 * A node's progress in the ring change of the newest epoch it knows, the answer to a
 * {@link MoveStatusRequest}: how many of the partitions it gains it already holds.
 *
 * @param epoch           the epoch the node routes by
 * @param partitionsTotal partitions it gains at that epoch
 * @param partitionsDone  of those, how many it has copied whole
 * @param bytes           bytes of keys and values copied so far
 * @param ready           whether it holds every partition it gains (always, when it gains none)
 */
public record MoveStatus(long epoch, int partitionsTotal, int partitionsDone, long bytes, boolean ready)
        implements Message {
}
