package io.dkv.core.message;

import java.util.Objects;

/**
 * Return the replica's entry for a key. Reads go to a key's own replicas only: a stand-in's
 * answer could not count toward the read's consistency level.
 *
 * @param partition the key's ring partition
 * @param key       the key
 * @param digest    when true, answer with the version only ({@link DigestReply}), not the
 *                  value: a read needs the value from one replica and versions from the rest
 * @param epoch     the ring epoch the coordinator routed by ({@link WriteRequest#epoch}); 0
 *                  for reads that are not votes (inspection)
 */
public record ReadRequest(int partition, byte[] key, boolean digest, long epoch) implements Message {

    public ReadRequest {
        Objects.requireNonNull(key, "key");
    }

    public ReadRequest(int partition, byte[] key) {
        this(partition, key, false, WriteRequest.NO_EPOCH);
    }

    public ReadRequest(int partition, byte[] key, boolean digest) {
        this(partition, key, digest, WriteRequest.NO_EPOCH);
    }
}
