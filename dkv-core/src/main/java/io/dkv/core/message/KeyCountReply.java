package io.dkv.core.message;

/**
 * The answer to a {@link KeyCountRequest}: {@code counts[i]} is how many keys with a value
 * (not a tombstone, not hidden by a flush) the node stores in the request's
 * {@code partitions[i]}. Expired values the node has not collected yet are counted.
 */
public record KeyCountReply(long[] counts) implements Message {
}
