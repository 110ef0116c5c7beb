package io.dkv.server.net;

import io.dkv.core.DkvException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * A listening port and the connections it accepted. Closing it closes them all, as a
 * crash would: the node's clients and peers see their connections drop.
 */
public final class Listener implements AutoCloseable {

    private final Channel serverChannel;
    private final ChannelGroup connections;

    private Listener(Channel serverChannel, ChannelGroup connections) {
        this.serverChannel = serverChannel;
        this.connections = connections;
    }

    /**
     * Starts listening; fails with a message naming what could not listen, and where.
     *
     * @param what      for the error, e.g. "n1 cannot listen for clients"
     * @param configure extra bootstrap options (child options, backlog)
     * @param pipeline  sets up each accepted connection's handlers
     */
    public static Listener open(NettyRuntime runtime, String what, InetSocketAddress address,
                                Consumer<ServerBootstrap> configure, Consumer<Channel> pipeline) {
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(runtime.group(), runtime.accepting())
                .channel(runtime.serverChannelType())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        pipeline.accept(ch);
                    }
                });
        configure.accept(bootstrap);
        try {
            return new Listener(bootstrap.bind(address).syncUninterruptibly().channel(), connections);
        } catch (Exception e) {
            throw new DkvException(what + " on " + address + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        connections.close().syncUninterruptibly();
    }
}
