package io.dkv.cluster.membership;

import io.dkv.core.NodeId;

/**
 * Which peers a node currently believes are up. Routing consults it to skip down replicas;
 * the failure detector is what keeps it current.
 */
@FunctionalInterface
public interface LivenessView {

    /** Every node is presumed up: routing always uses the key's own replicas. */
    LivenessView ALL_UP = node -> true;

    boolean isUp(NodeId node);
}
