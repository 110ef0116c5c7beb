package io.dkv.cluster.coordinator;

import io.dkv.core.NodeId;

/**
 * One node a request goes to.
 *
 * @param node    the node to contact
 * @param hintFor {@code null} when {@code node} is one of the key's replicas; otherwise the
 *                down replica that {@code node} stands in for
 */
public record ReplicaTarget(NodeId node, NodeId hintFor) {

    public boolean isStandIn() {
        return hintFor != null;
    }
}
