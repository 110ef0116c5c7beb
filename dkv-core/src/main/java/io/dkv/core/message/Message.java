package io.dkv.core.message;

/**
 * Everything nodes say to each other. Messages are immutable values; the simulator hands
 * them over as objects, the network transport encodes them into frames. The set is
 * closed (sealed), so adding a message makes the compiler point at the codec.
 */
public sealed interface Message permits WriteRequest, WriteReply, ReadRequest, ReadReply, DigestReply, ErrorReply,
        Gossip, MerkleRootRequest, MerkleLeavesReply, MerkleRootsRequest, MerkleRootsReply, KeyDigests, KeyDigestsReply,
        TombstoneCheck, TombstoneCheckReply, StreamRequest, StreamChunk, NotMine, MoveStatusRequest, MoveStatus,
        KeyScanRequest, KeyScanReply, KeyCountRequest, KeyCountReply, TruncateRequest, TruncateReply, RingMessage {
}
