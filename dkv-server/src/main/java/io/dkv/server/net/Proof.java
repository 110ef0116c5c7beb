package io.dkv.server.net;

/**
 * The connecting node's answer to a {@link Challenge}: its proof that it knows the
 * cluster-secret ({@link PeerSecret#connectorProof}). Nothing else is accepted before it.
 */
record Proof(byte[] proof) {
}
