package io.dkv.core.message;

/**
 * Anti-entropy, step 1: "here is the root hash of my tree for this partition". The peer
 * answers with a {@link MerkleLeavesReply}.
 */
public record MerkleRootRequest(int partition, long root) implements Message {
}
