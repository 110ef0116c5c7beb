package io.dkv.core.message;

/**
 * DBSIZE, asked of one node: how many keys it stores as a replica in each of the given
 * partitions, answered with a {@link KeyCountReply}. The node reads its storage engine's
 * counts and no key, so the answer costs the same whatever the partitions hold.
 *
 * @param partitions the partitions counted (those the coordinator's ring gives the node)
 */
public record KeyCountRequest(int[] partitions) implements Message {

    public KeyCountRequest {
        for (int partition : partitions) {
            if (partition < 0) {
                throw new IllegalArgumentException("partition must not be negative: " + partition);
            }
        }
    }
}
