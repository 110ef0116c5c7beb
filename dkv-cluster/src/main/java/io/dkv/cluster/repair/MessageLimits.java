package io.dkv.cluster.repair;

import io.dkv.cluster.config.ClusterConfig;

/**
 * How much one anti-entropy message may carry, so that it always fits the internode frame
 * limit (a frame over it would close the connection and fail every request on it).
 *
 * @param batchBytes the bytes of keys (digests) or entries one message normally carries
 * @param hardBytes  what a message may never pass: the frame limit less room for framing
 * @param maxKeys    the most keys one exchange carries
 */
record MessageLimits(long batchBytes, long hardBytes, int maxKeys) {

    /** Bytes counted per key besides the key itself: length prefix, both registers' versions. */
    static final int PER_KEY_BYTES = 28;
    /** Bytes counted per entry besides key and value. */
    static final int PER_ENTRY_BYTES = 48;

    static MessageLimits of(int maxMessageBytes, int maxKeys) {
        long hard = maxMessageBytes - ClusterConfig.MESSAGE_HEADROOM_BYTES / 2;
        return new MessageLimits(Math.min(AntiEntropy.BATCH_BYTES, hard), hard, maxKeys);
    }
}
