package io.dkv.server;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.NodeContext;
import io.dkv.cluster.runtime.Cancellable;
import io.dkv.core.NodeId;
import io.dkv.server.acl.ProtectedMode;
import io.dkv.server.config.NodeSettings;
import io.dkv.server.net.EventLoopScheduler;
import io.dkv.server.net.NettyRuntime;
import io.dkv.server.net.NettyTransport;
import io.dkv.server.net.NodeTls;
import io.dkv.server.net.SystemClock;
import io.dkv.server.http.HttpServer;
import io.dkv.server.metrics.NodeMeters;
import io.dkv.server.resp.CommandMeters;
import io.dkv.server.resp.RespServer;
import io.dkv.server.resp.ServerInfo;
import io.dkv.server.resp.ClientCounters;
import io.dkv.server.storage.NodeStorage;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One dkv node in the real runtime: its storage, its cluster logic on the Netty transport,
 * and its client port. Several can share one {@link NettyRuntime} (dkv local).
 */
public final class NodeServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeServer.class);

    private final NodeSettings settings;
    private final NettyTransport transport;
    private final ClusterNode node;
    private final RespServer resp;
    private final HttpServer http;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final NodeMeters meters;
    private final ClientCounters stats = new ClientCounters();
    private final Cancellable sampler;
    private final NodeStorage storage;
    private final boolean startedRecovering;

    private NodeServer(NodeSettings settings, NettyRuntime runtime, NodeStorage storage, boolean mayLackData, NodeTls tls) {
        this.settings = settings;
        this.storage = storage;
        ClusterConfig config = settings.cluster();
        EventLoopScheduler scheduler = new EventLoopScheduler(runtime.group().next());
        this.transport = new NettyTransport(settings.node(), runtime,
                new InetSocketAddress(settings.host(), settings.internodePort()),
                settings.peers()::get,
                fingerprint(config), config.maxMessageBytes(), settings.access().peerSecret(), tls);
        this.startedRecovering = storage.mayLackData(mayLackData);
        NodeContext context = new NodeContext(settings.node(), config, storage.engine(), storage.hints(),
                SystemClock.INSTANCE, scheduler, ThreadLocalRandom.current(), transport, startedRecovering,
                storage.clockLease(), new EventLoopScheduler(runtime.scans()));
        this.node = new ClusterNode(context, config.buildRing(), storage.ringRegister(), storage.truncationMark());
        ServerInfo info = new ServerInfo(version(), settings.host(), settings.respPort(), settings.internodePort(),
                settings.httpPort(), settings.tls().port(), peerAuth(settings));
        this.resp = new RespServer(node, runtime, info, stats, new CommandMeters(registry), storage,
                settings.clients(), settings.access().users());
        this.meters = new NodeMeters(node, stats, registry);
        this.http = settings.httpPort() == 0 ? null : new HttpServer(node, runtime, registry, settings.access(), tls);
        this.sampler = scheduler.scheduleAtFixedRate(1_000, 1_000, () -> {
            stats.sample();
            meters.refresh();
            if (!node.isRecovering()) {
                storage.recoveryFinished();
            }
        });
    }

    /** Starts a node of a new cluster (it lacks nothing): see {@link #start(NodeSettings, NettyRuntime, boolean)}. */
    public static NodeServer start(NodeSettings settings, NettyRuntime runtime) {
        return start(settings, runtime, false);
    }

    /**
     * Starts a node: listens for peers, then for clients. Fails clearly if a port is taken.
     *
     * @param restartedInMemory whether an in-memory node may have held data before that it no
     *                          longer has (a restart): it then recovers before it counts toward
     *                          quorums. A durable node decides from its data directory.
     */
    public static NodeServer start(NodeSettings settings, NettyRuntime runtime, boolean restartedInMemory) {
        NodeTls tls = NodeTls.load(settings.node(), settings.tls());
        NodeStorage storage = NodeStorage.open(settings);
        NodeServer server;
        try {
            server = new NodeServer(settings, runtime, storage, restartedInMemory, tls);
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
        try {
            server.node.start();
            if (settings.respPort() != 0) {
                server.resp.start(new InetSocketAddress(settings.host(), settings.respPort()));
            }
            if (tls.clientPort()) {
                server.resp.startTls(new InetSocketAddress(settings.host(), settings.tls().port()), tls);
            }
            if (server.http != null) {
                server.http.start(new InetSocketAddress(settings.host(), settings.httpPort()));
            }
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        log.info("{} serving clients on {}:{}, peers on port {}, HTTP on port {}; data {}", settings.node(), settings.host(),
                settings.respPort() == 0 ? "(plain port off)" : settings.respPort(), settings.internodePort(), settings.httpPort() == 0 ? "(off)" : settings.httpPort(),
                settings.storage().describe());
        if (settings.tls().enabled()) {
            log.info("{} TLS by {}: clients on port {}, internode {}, HTTP {}", settings.node(), tls.describe(),
                    tls.clientPort() ? settings.tls().port() : "(off)", tls.cluster() ? "mutual TLS" : "plain",
                    tls.http() ? "HTTPS" : "plain");
        }
        warnIfPeersUnauthenticated(settings);
        if (settings.join() != null) {
            Joiner.start(server.node, settings.join(), settings.host() + ":" + settings.internodePort(),
                    settings.replace(), settings.access().joinUser(), settings.access().joinPassword(),
                    NodeTls.joinSockets(settings.tls()));
        }
        return server;
    }

    /**
     * Without a cluster-secret, anything that reaches the internode port and knows the
     * cluster's layout is taken for a peer. Said at start: a warning beyond loopback.
     */
    private static void warnIfPeersUnauthenticated(NodeSettings settings) {
        if (settings.access().clusterSecret() != null || settings.tls().cluster()) {
            return;
        }
        String message = settings.node() + ": peers are not authenticated: any process that reaches port "
                + settings.internodePort() + " can act as a node of this cluster. Set cluster-secret (the same on"
                + " every node), or tls-cluster with certificates from the cluster's authority";
        if (ProtectedMode.loopback(settings.host())) {
            log.info(message);
        } else {
            log.warn(message);
        }
    }

    /** How peers prove they belong, for INFO: {@code tls-cluster}, {@code cluster-secret}, both, or {@code none}. */
    private static String peerAuth(NodeSettings settings) {
        boolean secret = settings.access().clusterSecret() != null;
        if (settings.tls().cluster()) {
            return secret ? "tls-cluster+cluster-secret" : "tls-cluster";
        }
        return secret ? "cluster-secret" : "none";
    }

    public NodeId id() {
        return settings.node();
    }

    public NodeSettings settings() {
        return settings;
    }

    public ClusterNode node() {
        return node;
    }

    public ClientCounters stats() {
        return stats;
    }

    /** This node's metrics, as {@code /metrics} serves them. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The node's entries and hints, and its data directory when durable. */
    public NodeStorage storage() {
        return storage;
    }

    /** Whether the node started recovering (it may have lacked data), whether or not it still is. */
    public boolean startedRecovering() {
        return startedRecovering;
    }

    public int respPort() {
        return resp.port();
    }

    /** The TLS client port, 0 when there is none. */
    public int tlsPort() {
        return resp.tlsPort();
    }

    @Override
    public void close() {
        sampler.cancel();
        node.stop();
        if (http != null) {
            http.close();
        }
        resp.close();
        meters.close();
        registry.close();
        transport.close();
        node.storage().close();
        storage.close();
    }

    /** Peers must agree on everything that decides where keys live. */
    public static long fingerprint(ClusterConfig config) {
        // Not the node count: nodes join and leave; the rest is fixed for the cluster's life.
        return Objects.hash(config.replicas(), config.partitions(), config.ringSeed());
    }

    static String version() {
        String version = NodeServer.class.getPackage().getImplementationVersion();
        return version == null ? "0.1.0-dev" : version;
    }
}
