package io.dkv.server;

import io.dkv.core.NodeId;
import io.dkv.server.config.NodeSettings;
import io.dkv.server.config.SettingsBuilder;
import io.dkv.server.net.NettyRuntime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * N real TCP nodes in one JVM sharing one set of event loops: what {@code dkv local} runs,
 * and what in-JVM network tests start.
 */
public final class LocalCluster implements AutoCloseable {

    private final NettyRuntime runtime;
    private final List<NodeServer> servers = new ArrayList<>();
    private final List<NodeSettings> settings = new ArrayList<>();

    private LocalCluster(NettyRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Starts nodes n1..nN. {@code adjust} receives each node's settings builder (already
     * holding node, nodes, replicas and base port) to change anything else.
     */
    public static LocalCluster start(int nodes, int replicas, int basePort, Consumer<SettingsBuilder> adjust) {
        return start(nodes, replicas, basePort, defaultIoThreads(nodes), adjust);
    }

    /**
     * Event loops for N nodes in one process: one per core, but not more than nodes. A
     * single node then runs on one thread, as Redis does, leaving the other cores to the
     * clients on the same machine; more nodes spread over the cores.
     */
    public static int defaultIoThreads(int nodes) {
        return Math.max(1, Math.min(NettyRuntime.cores(), nodes));
    }

    /** Starts nodes n1..nN on {@code ioThreads} shared event loops. */
    public static LocalCluster start(int nodes, int replicas, int basePort, int ioThreads, Consumer<SettingsBuilder> adjust) {
        LocalCluster cluster = new LocalCluster(new NettyRuntime(ioThreads));
        try {
            for (int number = 1; number <= nodes; number++) {
                SettingsBuilder builder = new SettingsBuilder()
                        .set("node", "n" + number)
                        .set("nodes", String.valueOf(nodes))
                        .set("replicas", String.valueOf(replicas))
                        .set("base-port", String.valueOf(basePort))
                        .nodesInProcess(nodes);
                adjust.accept(builder);
                NodeSettings nodeSettings = builder.build();
                cluster.settings.add(nodeSettings);
                cluster.servers.add(NodeServer.start(nodeSettings, cluster.runtime));
            }
            cluster.awaitVoting(READY_LIMIT);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** How long a starting cluster may take until every node votes. */
    static final Duration READY_LIMIT = Duration.ofSeconds(60);

    /**
     * Waits until no node is recovering. Nodes on new data directories start recovering and
     * finish once they have compared their (empty) partitions with each other, within about
     * a second of all being up; in-memory nodes of a new cluster start voting at once.
     */
    public void awaitVoting(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (servers.stream().anyMatch(server -> server.node().isRecovering())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("nodes still recovering after " + limit.toSeconds() + " s: "
                        + servers.stream().filter(s -> s.node().isRecovering()).map(NodeServer::id).toList());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for nodes to recover", e);
            }
        }
    }

    public static LocalCluster start(int nodes, int replicas, int basePort) {
        return start(nodes, replicas, basePort, builder -> { });
    }

    public List<NodeServer> servers() {
        return List.copyOf(servers);
    }

    public NodeServer server(NodeId id) {
        return servers.stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(id + " is not running"));
    }

    /** Stops one node abruptly (its ports close, its memory is gone), leaving the others running. */
    public void stop(NodeId id) {
        NodeServer server = server(id);
        server.close();
        servers.remove(server);
    }

    /**
     * Starts a stopped node again on the same ports, with empty memory: it recovers (compares
     * its partitions with the other replicas) before it counts toward quorums.
     */
    public NodeServer restart(NodeId id) {
        NodeSettings nodeSettings = settings.stream().filter(s -> s.node().equals(id)).findFirst().orElseThrow();
        NodeServer server = NodeServer.start(nodeSettings, runtime, true);
        servers.add(server);
        return server;
    }

    public NettyRuntime runtime() {
        return runtime;
    }

    @Override
    public void close() {
        servers.forEach(NodeServer::close);
        servers.clear();
        runtime.close();
    }
}
