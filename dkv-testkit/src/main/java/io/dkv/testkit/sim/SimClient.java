package io.dkv.testkit.sim;

import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A client of a {@link SimCluster}. The blocking calls run the simulation until the answer
 * comes and return it (or throw the request's failure); the {@code Async} calls return at
 * once so that many requests can be in flight together.
 */
public final class SimClient {

    private final SimCluster cluster;
    private final NodeId coordinator;

    SimClient(SimCluster cluster, NodeId coordinator) {
        this.cluster = cluster;
        this.coordinator = coordinator;
    }

    public WriteResult put(String key, String value) {
        return put(key, value, cluster.config().writeConsistency());
    }

    public WriteResult put(String key, String value, Consistency consistency) {
        return cluster.await(putAsync(bytes(key), bytes(value), consistency));
    }

    /** The value, or {@code null} when the key is absent. */
    public String get(String key) {
        return get(key, cluster.config().readConsistency());
    }

    public String get(String key, Consistency consistency) {
        byte[] value = cluster.await(getAsync(bytes(key), consistency));
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** The newest entry the read saw, with its version (a tombstone for a deleted key), or {@code null}. */
    public Entry read(String key, Consistency consistency) {
        return cluster.await(coordinatorNode().read(bytes(key), consistency));
    }

    public WriteResult delete(String key) {
        return delete(key, cluster.config().writeConsistency());
    }

    public WriteResult delete(String key, Consistency consistency) {
        return cluster.await(coordinatorNode().delete(bytes(key), consistency));
    }

    public CompletableFuture<WriteResult> putAsync(byte[] key, byte[] value, Consistency consistency) {
        return coordinatorNode().put(key, value, consistency);
    }

    public CompletableFuture<byte[]> getAsync(byte[] key, Consistency consistency) {
        return coordinatorNode().get(key, consistency);
    }

    public CompletableFuture<WriteResult> deleteAsync(byte[] key, Consistency consistency) {
        return coordinatorNode().delete(key, consistency);
    }

    /** The node the next request goes through. */
    public ClusterNode coordinatorNode() {
        if (coordinator != null) {
            if (!cluster.isUp(coordinator)) {
                throw new IllegalStateException("coordinator " + coordinator + " is down");
            }
            return cluster.node(coordinator);
        }
        List<NodeId> up = cluster.upNodes();
        if (up.isEmpty()) {
            throw new IllegalStateException("every node is down");
        }
        return cluster.node(up.get(cluster.simulation().random().nextInt(up.size())));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
