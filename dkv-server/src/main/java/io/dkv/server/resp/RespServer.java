package io.dkv.server.resp;

import io.dkv.cluster.ClusterNode;
import io.dkv.core.InvalidConfigException;
import io.dkv.server.acl.AccessControl;
import io.dkv.server.acl.ProtectedMode;
import io.dkv.server.acl.Users;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.dkv.server.net.Listener;
import io.dkv.server.net.NettyRuntime;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;

import java.net.InetSocketAddress;

/**
 * The Redis-protocol port of one node: accepts client connections and serves the commands
 * in its {@link CommandTable} against the node.
 */
public final class RespServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RespServer.class);

    private final ClusterNode node;
    private final NettyRuntime runtime;
    private final ClientCounters stats;
    private final CommandTable commands;
    private final int maxArgumentBytes;
    private final long maxCommandBytes;
    private final AccessControl access;
    private Listener listener;

    public RespServer(ClusterNode node, NettyRuntime runtime, ServerInfo info, ClientCounters stats, CommandMeters metrics) {
        this(node, runtime, info, stats, metrics, Users.open());
    }

    /**
     * @param users who may connect and what each may run; a rule naming an unknown command
     *              is refused here, before the node listens
     */
    public RespServer(ClusterNode node, NettyRuntime runtime, ServerInfo info, ClientCounters stats, CommandMeters metrics,
                      Users users) {
        this.node = node;
        this.commands = new CommandTable(metrics, users);
        this.runtime = runtime;
        this.stats = stats;
        this.maxArgumentBytes = Math.max(node.config().maxKeyBytes(), node.config().maxValueBytes());
        this.maxCommandBytes = Math.max(4L * maxArgumentBytes, 64L << 20);
        KeyValueCommands.register(commands, node, stats);
        ConnectionCommands.register(commands, info, stats);
        ServerCommands.register(commands, node, info, stats);
        DkvCommands.register(commands, node);
        AclCommands.register(commands);
        try {
            this.access = commands.access();
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(e.getMessage());
        }
    }

    /**
     * Starts accepting clients; fails with a clear message when the port is taken. Warns
     * when the port is reachable from other machines and needs no password.
     */
    public void start(InetSocketAddress address) {
        if (ProtectedMode.exposed(address.getHostString(), access.users())) {
            log.warn("{} {}", node.id(), ProtectedMode.warning(address.getHostString()));
        }
        listener = Listener.open(runtime, node.id() + " cannot listen for clients", address,
                bootstrap -> bootstrap.option(ChannelOption.SO_BACKLOG, 1024)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20)),
                ch -> {
                    ClientSession session = new ClientSession(stats.nextClientId(), String.valueOf(ch.remoteAddress()),
                            node.config().readConsistency(), node.config().writeConsistency(), access.onConnect());
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
