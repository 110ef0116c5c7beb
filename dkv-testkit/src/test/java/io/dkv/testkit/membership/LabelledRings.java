package io.dkv.testkit.membership;

import io.dkv.cluster.rebalance.RingState;
import io.dkv.cluster.rebalance.RingStateCodec;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Distinct values for the epoch register's tests: each label becomes a real ring state (so
 * that nodes can read its members) whose placement is seeded by the label, and the label is
 * found again from the bytes. The states keep epoch 1, so a node never routes by them.
 */
public final class LabelledRings {

    private static final Map<String, String> LABELS = new ConcurrentHashMap<>();

    private LabelledRings() {
    }

    public static byte[] value(List<NodeId> nodes, String label) {
        Ring ring = Ring.initial(nodes, Math.min(3, nodes.size()), 8, label.hashCode());
        byte[] value = RingStateCodec.encode(new RingState(1, ring, null));
        LABELS.put(key(value), label);
        return value;
    }

    public static String label(byte[] value) {
        String label = LABELS.get(key(value));
        if (label == null) {
            throw new AssertionError("not a labelled ring: " + RingStateCodec.decode(value));
        }
        return label;
    }

    private static String key(byte[] value) {
        return java.util.Base64.getEncoder().encodeToString(value);
    }
}
