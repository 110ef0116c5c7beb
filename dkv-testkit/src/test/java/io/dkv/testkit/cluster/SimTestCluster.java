package io.dkv.testkit.cluster;

import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.cluster.keyspace.ScanPage;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.cluster.membership.register.Committed;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import io.dkv.testkit.sim.SimCluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@link TestCluster} over the simulator: virtual time, so waiting costs nothing. */
public final class SimTestCluster implements TestCluster {

    private final SimCluster cluster;
    private final List<CompletableFuture<?>> background = new ArrayList<>();

    public SimTestCluster(SimCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public Ring ring() {
        return cluster.ring();
    }

    @Override
    public List<NodeId> nodeIds() {
        return cluster.nodeIds();
    }

    @Override
    public WriteResult put(NodeId coordinator, String key, String value, Consistency consistency) {
        return cluster.client(coordinator).put(key, value, consistency);
    }

    @Override
    public ScanPage scan(NodeId coordinator, long cursor, int count) {
        return cluster.await(cluster.node(coordinator).scan(cursor, count));
    }

    @Override
    public String get(NodeId coordinator, String key, Consistency consistency) {
        return cluster.client(coordinator).get(key, consistency);
    }

    @Override
    public WriteResult delete(NodeId coordinator, String key, Consistency consistency) {
        return cluster.client(coordinator).delete(key, consistency);
    }

    @Override
    public void putInBackground(NodeId coordinator, String key, String value, Consistency consistency) {
        background.add(cluster.client(coordinator).putAsync(bytes(key), bytes(value), consistency));
    }

    @Override
    public void crash(NodeId node) {
        cluster.crash(node);
    }

    @Override
    public void restart(NodeId node) {
        cluster.restart(node);
    }

    @Override
    public Entry localEntry(NodeId node, String key) {
        return cluster.localEntry(node, key);
    }

    @Override
    public void eventually(Runnable assertion) {
        Throwable last = null;
        for (int step = 0; step < 600; step++) {
            try {
                assertion.run();
                return;
            } catch (AssertionError | RuntimeException e) {
                last = e;
                cluster.runFor(Duration.ofMillis(100));
            }
        }
        throw new AssertionError("still failing after 60 s of virtual time", last);
    }

    @Override
    public Committed proposeRing(NodeId node, long fromEpoch, byte[] value) {
        return cluster.await(cluster.node(node).ringRegister().propose(fromEpoch, value));
    }

    @Override
    public Committed currentRing(NodeId node) {
        return cluster.node(node).ringRegister().current();
    }

    @Override
    public void awaitBackgroundWork() {
        cluster.runUntil(() -> background.stream().allMatch(CompletableFuture::isDone), Duration.ofMinutes(2));
        background.clear();
    }

    @Override
    public void close() {
        // Nothing outlives the simulation.
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
