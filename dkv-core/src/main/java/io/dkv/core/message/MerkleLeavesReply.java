package io.dkv.core.message;

import java.util.Objects;

/**
 * Anti-entropy, step 1 answer: {@code same} when the roots match (nothing to do), otherwise
 * the replier's leaf hashes so the asker can find the leaves that differ.
 */
public record MerkleLeavesReply(boolean same, long[] leaves) implements Message {

    public static final MerkleLeavesReply SAME = new MerkleLeavesReply(true, new long[0]);

    public MerkleLeavesReply {
        Objects.requireNonNull(leaves, "leaves");
    }
}
