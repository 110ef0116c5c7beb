package io.dkv.core.message;

/**
 * A replica's refusal of a read or write routed by an older ring: the partition's replicas
 * changed between the coordinator's epoch and the replica's, so the replica's answer must
 * not count as a vote. The coordinator learns the newer ring and tries again.
 *
 * @param epoch the epoch the replica routes by
 * @param reason what differs, for the coordinator's error message
 */
public record NotMine(long epoch, String reason) implements Message {
}
