package io.dkv.core.message;

/**
 * A node's headline figures, carried in its gossip so that any node can show the whole
 * cluster (dkv status, the dashboard).
 *
 * @param opsPerSecond client requests this node coordinated per second, over the last interval
 * @param p99Micros    99th percentile latency of those requests, in microseconds
 * @param keys         keys this node stores as a replica
 * @param hints        hints this node keeps for replicas that missed writes
 * @param recovering   whether the node may lack data and does not vote in quorums yet
 */
public record NodeLoad(int opsPerSecond, int p99Micros, long keys, long hints, boolean recovering) {

    public static final NodeLoad NONE = new NodeLoad(0, 0, 0, 0, false);
}
