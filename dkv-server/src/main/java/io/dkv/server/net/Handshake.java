package io.dkv.server.net;

import io.dkv.core.NodeId;

/**
 * The first frame on every internode connection: who is calling, whom it meant to reach,
 * and a fingerprint of its cluster settings, so that a misaddressed or misconfigured peer
 * is refused at once instead of corrupting routing.
 */
record Handshake(NodeId from, NodeId to, long clusterFingerprint) {
}
