package io.dkv.server;

import io.dkv.cluster.keyspace.ScanPage;
import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.cluster.membership.register.Committed;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import io.dkv.server.config.SettingsBuilder;
import io.dkv.testkit.Ports;
import io.dkv.testkit.cluster.TestCluster;
import org.awaitility.Awaitility;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * {@link TestCluster} over real TCP: a {@link LocalCluster} on loopback. A crash closes the
 * node's sockets and drops its memory; a restart brings it back empty on the same ports.
 */
final class NettyTestCluster implements TestCluster {

    private final LocalCluster cluster;
    private final Ring ring;
    private final List<CompletableFuture<?>> background = new ArrayList<>();

    NettyTestCluster(int nodes, int replicas, Consumer<SettingsBuilder> adjust) {
        this.cluster = LocalCluster.start(nodes, replicas, Ports.freeBasePort(nodes), adjust);
        this.ring = cluster.servers().get(0).node().ring();
    }

    LocalCluster local() {
        return cluster;
    }

    private ClusterNode node(NodeId id) {
        return cluster.server(id).node();
    }

    @Override
    public Ring ring() {
        return ring;
    }

    @Override
    public List<NodeId> nodeIds() {
        return ring.nodes();
    }

    @Override
    public WriteResult put(NodeId coordinator, String key, String value, Consistency consistency) {
        return await(node(coordinator).put(bytes(key), bytes(value), consistency));
    }

    @Override
    public ScanPage scan(NodeId coordinator, long cursor, int count) {
        return await(node(coordinator).scan(cursor, count));
    }

    @Override
    public String get(NodeId coordinator, String key, Consistency consistency) {
        byte[] value = await(node(coordinator).get(bytes(key), consistency));
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public WriteResult delete(NodeId coordinator, String key, Consistency consistency) {
        return await(node(coordinator).delete(bytes(key), consistency));
    }

    @Override
    public void putInBackground(NodeId coordinator, String key, String value, Consistency consistency) {
        background.add(node(coordinator).put(bytes(key), bytes(value), consistency));
    }

    @Override
    public void crash(NodeId node) {
        cluster.stop(node);
    }

    @Override
    public void restart(NodeId node) {
        cluster.restart(node);
    }

    @Override
    public Entry localEntry(NodeId node, String key) {
        return node(node).localEntry(bytes(key));
    }

    @Override
    public void eventually(Runnable assertion) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .ignoreExceptions().untilAsserted(assertion::run);
    }

    @Override
    public Committed proposeRing(NodeId node, long fromEpoch, byte[] value) {
        return await(node(node).ringRegister().propose(fromEpoch, value));
    }

    @Override
    public Committed currentRing(NodeId node) {
        return node(node).ringRegister().current();
    }

    @Override
    public void awaitBackgroundWork() {
        background.forEach(NettyTestCluster::await);
        background.clear();
    }

    @Override
    public void close() {
        cluster.close();
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new CompletionException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no answer within 30 s", e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
