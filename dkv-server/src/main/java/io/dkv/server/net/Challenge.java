package io.dkv.server.net;

/**
 * The accepting node's answer to a {@link Handshake} that carries a nonce: its own nonce,
 * and its proof that it knows the cluster-secret ({@link PeerSecret#acceptorProof}).
 */
record Challenge(byte[] nonce, byte[] proof) {
}
