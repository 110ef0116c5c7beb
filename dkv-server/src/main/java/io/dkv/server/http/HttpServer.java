package io.dkv.server.http;

import io.dkv.cluster.ClusterNode;
import io.dkv.server.config.AccessSettings;
import io.dkv.server.net.Listener;
import io.dkv.server.net.NettyRuntime;
import io.dkv.server.net.NodeTls;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

import java.net.InetSocketAddress;

/**
 * One node's HTTP port: {@code /} (the dashboard), {@code /api/cluster} (what it shows),
 * {@code /health} (200 or 503) and {@code /metrics} (Prometheus text format).
 */
public final class HttpServer implements AutoCloseable {

    private final ClusterNode node;
    private final NettyRuntime runtime;
    private final PrometheusMeterRegistry registry;
    private final AccessSettings access;
    private final NodeTls tls;
    private Listener listener;

    public HttpServer(ClusterNode node, NettyRuntime runtime, PrometheusMeterRegistry registry) {
        this(node, runtime, registry, AccessSettings.open(), NodeTls.OFF);
    }

    /**
     * @param access with {@code http-auth}, every page needs HTTP Basic credentials of one of its users
     * @param tls    with {@code tls-http}, the port serves HTTPS (no client certificates asked for)
     */
    public HttpServer(ClusterNode node, NettyRuntime runtime, PrometheusMeterRegistry registry, AccessSettings access,
                      NodeTls tls) {
        this.node = node;
        this.runtime = runtime;
        this.registry = registry;
        this.access = access;
        this.tls = tls;
    }

    public void start(InetSocketAddress address) {
        listener = Listener.open(runtime, node.id() + " cannot listen for HTTP", address, bootstrap -> { },
                ch -> {
                    tls.secureHttp(ch);
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                            new HttpHandler(node, registry, access));
                });
    }

    public int port() {
        return listener.port();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
    }
}
