package io.dkv.cluster.coordinator;

import io.dkv.core.NodeId;

import java.util.StringJoiner;

/**
 * Why a read's or a write's targets failed, as "node: reason; node: reason" for the error a
 * client sees. The text is built at the first failure only: nearly every operation meets
 * none. Not thread-safe: its operation guards it.
 */
final class FailureReasons {

    private StringJoiner reasons;

    void add(NodeId node, String reason) {
        if (reasons == null) {
            reasons = new StringJoiner("; ");
        }
        reasons.add(node + ": " + reason);
    }

    /** The reasons so far, or an empty text when nothing failed. */
    @Override
    public String toString() {
        return reasons == null ? "" : reasons.toString();
    }
}
