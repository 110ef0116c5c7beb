package io.dkv.server.net;

import io.dkv.core.NodeId;

/**
 * The first frame on every internode connection: who is calling, whom it meant to reach,
 * and a fingerprint of its cluster settings, so that a misaddressed or misconfigured peer
 * is refused at once instead of corrupting routing. With a {@code cluster-secret} it also
 * carries the caller's nonce, and the exchange of {@link PeerSecret} follows.
 *
 * @param nonce the connecting node's nonce; empty without a cluster-secret
 */
record Handshake(NodeId from, NodeId to, long clusterFingerprint, byte[] nonce) {

    static final byte[] NO_NONCE = new byte[0];
}
