package io.dkv.server.resp;

import io.dkv.cluster.ClusterNode;
import io.dkv.server.config.ClientLimits;
import io.dkv.core.InvalidConfigException;
import io.dkv.server.acl.AccessControl;
import io.dkv.server.acl.ProtectedMode;
import io.dkv.server.acl.Users;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.dkv.server.net.Listener;
import io.dkv.server.net.NettyRuntime;
import io.dkv.server.net.NodeTls;
import io.netty.channel.Channel;
import io.dkv.server.storage.Persistence;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.channel.WriteBufferWaterMark;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

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
    private final ClientBudget budget;
    private final AccessControl access;
    private Listener listener;
    private Listener tlsListener;

    /**
     * @param users who may connect and what each may run; a rule naming an unknown command
     *              is refused here, before the node listens
     */
    public RespServer(ClusterNode node, NettyRuntime runtime, ServerInfo info, ClientCounters stats, CommandMeters metrics,
                      Persistence persistence, ClientLimits limits, Users users) {
        this.node = node;
        this.budget = new ClientBudget(limits);
        this.commands = new CommandTable(metrics, users, node::recordClientRequest);
        this.runtime = runtime;
        this.stats = stats;
        this.maxArgumentBytes = Math.max(node.config().maxKeyBytes(), node.config().maxValueBytes());
        this.maxCommandBytes = Math.max(4L * maxArgumentBytes, 64L << 20);
        KeyValueCommands.register(commands, node, stats, limits.maxKeysPerCommand());
        ExpiryCommands.register(commands, node);
        KeyspaceCommands.register(commands, node);
        StringReadCommands.register(commands, node);
        HashCommands.register(commands, node);
        ConnectionCommands.register(commands, info, stats);
        ServerCommands.register(commands, node, info, stats, persistence, limits);
        DkvCommands.register(commands, node);
        FlushCommands.register(commands, node);
        PersistenceCommands.register(commands, node.id(), persistence);
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
        warnIfExposed(address);
        listener = listen(node.id() + " cannot listen for clients", address, ch -> { });
    }

    /**
     * Starts accepting clients over TLS ({@code tls-port}), with the certificates in {@code tls};
     * warns as {@link #start} does when there is no plain port to warn about.
     */
    public void startTls(InetSocketAddress address, NodeTls tls) {
        if (listener == null) {
            warnIfExposed(address);
        }
        tlsListener = listen(node.id() + " cannot listen for TLS clients", address, tls::secureClient);
    }

    private void warnIfExposed(InetSocketAddress address) {
        if (ProtectedMode.exposed(address.getHostString(), access.users())) {
            log.warn("{} {}", node.id(), ProtectedMode.warning(address.getHostString()));
        }
    }

    private Listener listen(String what, InetSocketAddress address, Consumer<Channel> secure) {
        return Listener.open(runtime, what, address,
                bootstrap -> bootstrap.option(ChannelOption.SO_BACKLOG, 1024)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20)),
                ch -> {
                    secure.accept(ch);
                    if (!budget.tryAdmit()) {
                        ch.pipeline().addLast(new Refusal());
                        return;
                    }
                    ch.closeFuture().addListener(closed -> budget.release());
                    ClientSession session = new ClientSession(stats.nextClientId(), String.valueOf(ch.remoteAddress()),
                            node.config().readConsistency(), node.config().writeConsistency(), access.onConnect());
                    long timeout = budget.limits().timeoutSeconds();
                    if (timeout > 0) {
                        ch.pipeline().addLast(new IdleStateHandler(timeout, 0, 0, TimeUnit.SECONDS));
                    }
                    RespDecoder decoder = new RespDecoder(maxArgumentBytes, limitName(), maxCommandBytes);
                    ch.pipeline().addLast(decoder, new RespConnectionHandler(commands, stats, session, budget, decoder));
                });
    }

    /** Bytes all clients of this node hold, as last reported ({@code maxmemory-clients} counts these). */
    public long clientBytes() {
        return budget.totalBytes();
    }

    /** Answers a connection beyond {@code maxclients} as Redis does, then closes it. */
    private static final class Refusal extends ChannelInboundHandlerAdapter {
        private static final byte[] ERROR = "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(ERROR)).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            io.netty.util.ReferenceCountUtil.release(message);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The setting the per-argument limit comes from (the larger of the key and value limits). */
    private String limitName() {
        return node.config().maxValueBytes() >= node.config().maxKeyBytes() ? "max-value-bytes" : "max-key-bytes";
    }

    /** The plain client port, or 0 when there is none. */
    public int port() {
        return listener == null ? 0 : listener.port();
    }

    /** The TLS client port, or 0 when there is none. */
    public int tlsPort() {
        return tlsListener == null ? 0 : tlsListener.port();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
        if (tlsListener != null) {
            tlsListener.close();
        }
    }
}
