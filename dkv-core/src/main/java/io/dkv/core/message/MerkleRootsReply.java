package io.dkv.core.message;

import java.util.Objects;

/**
 * Answer to a {@link MerkleRootsRequest}: every partition asked about is in at most one of
 * the two lists; one in neither has equal roots on both replicas.
 *
 * @param differing the partitions whose roots differ
 * @param notBuilt  the partitions the replier cannot compare yet (its tree is not built,
 *                  after a restart): the asker learned nothing about them
 */
public record MerkleRootsReply(int[] differing, int[] notBuilt) implements Message {

    public MerkleRootsReply {
        Objects.requireNonNull(differing, "differing");
        Objects.requireNonNull(notBuilt, "notBuilt");
    }
}
