package io.dkv.server.resp;

import io.dkv.cluster.ClusterNode;
import io.dkv.server.net.Listener;
import io.dkv.server.net.NettyRuntime;
import io.dkv.server.storage.Persistence;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;

import java.net.InetSocketAddress;

/**
 * The Redis-protocol port of one node: accepts client connections and serves the commands
 * in its {@link CommandTable} against the node.
 */
public final class RespServer implements AutoCloseable {

    private final ClusterNode node;
    private final NettyRuntime runtime;
    private final ClientCounters stats;
    private final CommandTable commands;
    private final int maxArgumentBytes;
    private final long maxCommandBytes;
    private Listener listener;

    public RespServer(ClusterNode node, NettyRuntime runtime, ServerInfo info, ClientCounters stats, CommandMeters metrics,
                      Persistence persistence) {
        this.node = node;
        this.commands = new CommandTable(metrics);
        this.runtime = runtime;
        this.stats = stats;
        this.maxArgumentBytes = Math.max(node.config().maxKeyBytes(), node.config().maxValueBytes());
        this.maxCommandBytes = Math.max(4L * maxArgumentBytes, 64L << 20);
        KeyValueCommands.register(commands, node, stats);
        ConnectionCommands.register(commands, info, stats);
        ServerCommands.register(commands, node, info, stats, persistence);
        DkvCommands.register(commands, node);
        PersistenceCommands.register(commands, node.id(), persistence);
    }

    /** Starts accepting clients; fails with a clear message when the port is taken. */
    public void start(InetSocketAddress address) {
        listener = Listener.open(runtime, node.id() + " cannot listen for clients", address,
                bootstrap -> bootstrap.option(ChannelOption.SO_BACKLOG, 1024)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20)),
                ch -> {
                    ClientSession session = new ClientSession(stats.nextClientId(), String.valueOf(ch.remoteAddress()),
                            node.config().readConsistency(), node.config().writeConsistency());
                    ch.pipeline().addLast(
                            new RespDecoder(maxArgumentBytes, limitName(), maxCommandBytes),
                            new RespConnectionHandler(commands, stats, session));
                });
    }

    /** The setting the per-argument limit comes from (the larger of the key and value limits). */
    private String limitName() {
        return node.config().maxValueBytes() >= node.config().maxKeyBytes() ? "max-value-bytes" : "max-key-bytes";
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
