package io.dkv.cluster.coordinator;

import io.dkv.core.Entry;
import io.dkv.core.NodeId;

/**
 * What one replica holds for a key, as seen by an operator.
 *
 * @param node  the replica
 * @param up    whether the asking node believes it is up
 * @param entry its entry, or {@code null} when it has none or did not answer
 * @param error why it did not answer, or {@code null} when it did
 */
public record ReplicaView(NodeId node, boolean up, Entry entry, String error) {

    /**
     * One line for people: {@code n2 up 1700000000000.0@n1}, {@code n3 down missing}, and
     * for a key with an expiry {@code ... expires 1700000060000 (at 1700000001000.0@n2)}.
     */
    public String describe() {
        String state = error != null ? "unreachable (" + error + ")"
                : entry == null ? "missing"
                : entry.version() + (entry.isTombstone() ? " (deleted)" : "")
                        + (entry.expiry().isSet() ? " expires " + entry.expiry().atMillis() + " (at "
                                + entry.expiry().version() + ")" : "");
        return node + " " + (up ? "up" : "down") + " " + state;
    }
}
