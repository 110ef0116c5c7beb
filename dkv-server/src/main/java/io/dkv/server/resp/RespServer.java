package io.dkv.server.resp;

import io.dkv.cluster.ClusterNode;
import io.dkv.core.DkvException;
import io.dkv.server.net.NettyRuntime;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;

/**
 * The Redis-protocol port of one node: accepts client connections and serves the commands
 * in its {@link CommandTable} against the node.
 */
public final class RespServer implements AutoCloseable {

    private final ClusterNode node;
    private final NettyRuntime runtime;
    private final ServerStats stats;
    private final CommandTable commands;
    private final int maxArgumentBytes;
    private final long maxCommandBytes;
    private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;

    public RespServer(ClusterNode node, NettyRuntime runtime, ServerInfo info, ServerStats stats, CommandMetrics metrics) {
        this.node = node;
        this.commands = new CommandTable(metrics);
        this.runtime = runtime;
        this.stats = stats;
        this.maxArgumentBytes = Math.max(node.config().maxKeyBytes(), node.config().maxValueBytes());
        this.maxCommandBytes = Math.max(4L * maxArgumentBytes, 64L << 20);
        KeyValueCommands.register(commands, node, stats);
        ConnectionCommands.register(commands, info, stats);
        ServerCommands.register(commands, node, info, stats);
        DkvCommands.register(commands, node);
    }

    /** Starts accepting clients; fails with a clear message when the port is taken. */
    public void start(InetSocketAddress address) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(runtime.group())
                .channel(runtime.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        clients.add(ch);
                        ClientSession session = new ClientSession(stats.nextClientId(), String.valueOf(ch.remoteAddress()),
                                node.config().readConsistency(), node.config().writeConsistency());
                        ch.pipeline().addLast(
                                new RespDecoder(maxArgumentBytes, limitName(), maxCommandBytes),
                                new RespConnectionHandler(commands, stats, session));
                    }
                });
        try {
            serverChannel = bootstrap.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new DkvException(node.id() + " cannot listen for clients on " + address + ": " + e.getMessage(), e);
        }
    }

    /** The setting the per-argument limit comes from (the larger of the key and value limits). */
    private String limitName() {
        return node.config().maxValueBytes() >= node.config().maxKeyBytes() ? "max-value-bytes" : "max-key-bytes";
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        clients.close().syncUninterruptibly();
    }
}
