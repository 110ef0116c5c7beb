package io.dkv.core.message;

import io.dkv.core.NodeId;

import java.util.Objects;

/**
 * Return the replica's entry for a key.
 *
 * @param partition the key's ring partition
 * @param key       the key
 * @param standInFor when not {@code null}, the receiver stands in for this replica and also
 *                   consults the hints it keeps for it
 * @param digest     when true, answer with the version only ({@link DigestReply}), not the
 *                   value: a read needs the value from one replica and versions from the rest
 */
public record ReadRequest(int partition, byte[] key, NodeId standInFor, boolean digest) implements Message {

    public ReadRequest {
        Objects.requireNonNull(key, "key");
    }

    public ReadRequest(int partition, byte[] key, NodeId standInFor) {
        this(partition, key, standInFor, false);
    }

    public ReadRequest(int partition, byte[] key) {
        this(partition, key, null, false);
    }
}
