package io.dkv.core.message;

import java.util.Objects;

/**
 * Anti-entropy, step 1 for many partitions at once: "here are the roots of my trees for
 * these partitions". The peer answers with a {@link MerkleRootsReply} naming the partitions
 * whose roots differ, which the asker then compares one by one ({@link MerkleRootRequest}).
 *
 * @param partitions the partitions compared, each at most once
 * @param roots      the asker's root for each
 */
public record MerkleRootsRequest(int[] partitions, long[] roots) implements Message {

    /** Bytes one (partition, root) pair takes on the wire. */
    public static final int BYTES_PER_PARTITION = Integer.BYTES + Long.BYTES;

    public MerkleRootsRequest {
        Objects.requireNonNull(partitions, "partitions");
        if (partitions.length != roots.length) {
            throw new IllegalArgumentException(partitions.length + " partitions but " + roots.length + " roots");
        }
    }
}
