package io.dkv.server.http;

import io.dkv.cluster.ClusterNode;
import io.dkv.core.DkvException;
import io.dkv.server.net.NettyRuntime;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;

/**
 * One node's HTTP port: {@code /} (the dashboard), {@code /api/cluster} (what it shows),
 * {@code /health} (200 or 503) and {@code /metrics} (Prometheus text format).
 */
public final class HttpServer implements AutoCloseable {

    private final ClusterNode node;
    private final NettyRuntime runtime;
    private final PrometheusMeterRegistry registry;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;

    public HttpServer(ClusterNode node, NettyRuntime runtime, PrometheusMeterRegistry registry) {
        this.node = node;
        this.runtime = runtime;
        this.registry = registry;
    }

    public void start(InetSocketAddress address) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(runtime.group())
                .channel(runtime.serverChannelType())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                new HttpHandler(node, registry));
                    }
                });
        try {
            serverChannel = bootstrap.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new DkvException(node.id() + " cannot listen for HTTP on " + address + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        connections.close().syncUninterruptibly();
    }
}
