package io.dkv.server.net;

import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.core.NodeId;
import io.dkv.core.message.Message;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One of this node's outbound connections to one peer, living on one event loop and reused
 * by every request sent from that loop. Connects on first use; after a failed attempt it
 * waits a backoff delay (doubling up to a ceiling) before the next. A request that arrives
 * during the backoff waits for the next attempt when that comes within its timeout (a peer
 * that was not listening yet, or restarted, is then reached instead of failing a quorum
 * that needs it), and fails at once otherwise; one-way messages are dropped.
 *
 * <p>A connection is ready for requests once its handshake is written, and with a
 * cluster-secret once the peer has proved it knows the secret and this node has answered
 * with its own proof ({@link PeerSecret}); requests sent before wait for that. A connection
 * closed before it was ready (refused, or a wrong secret) counts as a failed attempt, so a
 * peer that refuses this node is not asked again in a tight loop.
 *
 * <p>Thread-safe: any thread may send. Connection state changes under the object's lock;
 * requests in flight are tracked per channel, so losing a channel fails exactly the
 * requests sent on it.
 */
final class PeerConnection {

    private static final Logger log = LoggerFactory.getLogger(PeerConnection.class);
    private static final AttributeKey<PendingRequests> PENDING = AttributeKey.valueOf("dkv.pending");
    /** The handshake this node sent, while the peer's challenge is awaited (cluster-secret only). */
    private static final AttributeKey<AwaitedChallenge> AWAITING_CHALLENGE = AttributeKey.valueOf("dkv.awaitingChallenge");

    /** What answering the peer's challenge needs: the handshake the proofs cover, and the promise requests wait on. */
    private record AwaitedChallenge(Handshake sent, ChannelPromise ready) {
    }
    /**
     * A request queued behind more unsent bytes than this starts its timeout when its frame
     * is written (see {@link PendingRequests}), or after this many timeouts if it never is.
     * Below it, the frame leaves within the event loop's turn, and the timeout starts at once
     * without the cost of a write listener.
     */
    static final long UNSENT_BYTES_BEFORE_TIMEOUT_WAITS = 256 * 1024;
    static final long UNSENT_BACKSTOP_TIMEOUTS = 4;
    static final long MIN_BACKOFF_MILLIS = 50;
    static final long MAX_BACKOFF_MILLIS = 2_000;

    private final NodeId peer;
    private final InetSocketAddress address;
    private final NettyTransport owner;
    private final EventLoop loop;
    /** Succeeds when the connection is ready for requests; its channel is the connection. */
    private ChannelPromise connection;
    private long retryAtNanos;
    private long backoffMillis = MIN_BACKOFF_MILLIS;
    private String lastFailure = "not connected yet";
    private boolean closed;
    /** {@link #pendingOn}'s last channel and its requests; used on the loop only. */
    private Channel lastChannel;
    private PendingRequests lastPending;

    /** @param loop the event loop this connection lives on */
    PeerConnection(NodeId peer, InetSocketAddress address, NettyTransport owner, EventLoop loop) {
        this.peer = peer;
        this.address = address;
        this.owner = owner;
        this.loop = loop;
    }

    /** Sends a request; {@code answer} gets the reply or the failure, as {@link PendingRequests#register} says. */
    void request(Message message, long timeoutMillis, BiConsumer<Message, Throwable> answer) {
        if (loop.inEventLoop()) {
            sendRequest(message, timeoutMillis, answer);
        } else {
            // Requests from other threads (tests, the shell) hop to the loop: PendingRequests is confined to it.
            loop.execute(() -> sendRequest(message, timeoutMillis, answer));
        }
    }

    private void sendRequest(Message message, long timeoutMillis, BiConsumer<Message, Throwable> answer) {
        long wait = millisUntilRetry();
        if (wait > 0 && wait < timeoutMillis) {
            loop.schedule(() -> sendRequest(message, timeoutMillis - wait, answer), wait, TimeUnit.MILLISECONDS);
            return;
        }
        ChannelFuture current;
        try {
            current = connection();
        } catch (PeerUnavailableException e) {
            answer.accept(null, e);
            return;
        }
        Channel channel = current.channel();
        PendingRequests pending = pendingOn(channel);
        if (current.isSuccess() && unsentBytes(channel) > UNSENT_BYTES_BEFORE_TIMEOUT_WAITS) {
            long id = pending.registerQueued(answer, timeoutMillis, timeoutMillis * UNSENT_BACKSTOP_TIMEOUTS);
            channel.writeAndFlush(new Frame(Frame.Kind.REQUEST, id, message)).addListener(written -> {
                if (written.isSuccess()) {
                    pending.written(id);
                } else {
                    pending.fail(id, "not sent: " + reason(written.cause()));
                }
            });
            return;
        }
        long id = pending.register(answer, timeoutMillis);
        Frame frame = new Frame(Frame.Kind.REQUEST, id, message);
        if (current.isSuccess()) {
            channel.writeAndFlush(frame, channel.voidPromise());
        } else {
            current.addListener(done -> {
                if (done.isSuccess()) {
                    current.channel().writeAndFlush(frame, current.channel().voidPromise());
                } else {
                    pending.fail(id, "unreachable: " + reason(done.cause()));
                }
            });
        }
    }

    /**
     * The requests in flight on {@code channel}, remembered for the channel last used: an
     * attribute lookup per request showed in profiles. On the loop, as {@link #sendRequest} is.
     */
    private PendingRequests pendingOn(Channel channel) {
        if (channel != lastChannel) {
            lastChannel = channel;
            lastPending = channel.attr(PENDING).get();
        }
        return lastPending;
    }

    /** Bytes written to the channel and not yet taken by its socket, on the channel's loop. */
    private static long unsentBytes(Channel channel) {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    /** Sends a one-way message if the peer is reachable; drops it otherwise. */
    void send(Message message) {
        ChannelFuture current;
        try {
            current = connection();
        } catch (PeerUnavailableException e) {
            return;
        }
        Frame frame = new Frame(Frame.Kind.ONE_WAY, 0, message);
        current.addListener(done -> {
            if (done.isSuccess()) {
                current.channel().writeAndFlush(frame, current.channel().voidPromise());
            }
        });
    }

    /**
     * The peer was just heard from (it connected to this node), so it is up: forget any
     * backoff, and let the next request connect at once.
     */
    synchronized void peerSeen() {
        retryAtNanos = System.nanoTime();
        backoffMillis = MIN_BACKOFF_MILLIS;
    }

    synchronized void close() {
        closed = true;
        if (connection != null) {
            connection.channel().close();
        }
    }

    /** How long until the next connection attempt is allowed; 0 when connected, connecting, or allowed now. */
    private synchronized long millisUntilRetry() {
        if (closed || (connection != null && connection.channel().isOpen())) {
            return 0;
        }
        long remaining = retryAtNanos - System.nanoTime();
        return remaining > 0 ? Math.max(1, remaining / 1_000_000) : 0;
    }

    /** The connected or connecting channel's future, opening a connection if allowed. */
    private synchronized ChannelFuture connection() {
        if (closed) {
            throw new PeerUnavailableException(peer, "unreachable: transport closed");
        }
        if (connection != null && connection.channel().isOpen()) {
            return connection;
        }
        long now = System.nanoTime();
        if (now - retryAtNanos < 0) {
            throw new PeerUnavailableException(peer, "unreachable (" + lastFailure + "; retrying in "
                    + Math.max(1, (retryAtNanos - now) / 1_000_000) + " ms)");
        }
        ChannelFuture connecting = connect();
        Channel channel = connecting.channel();
        ChannelPromise ready = channel.newPromise();
        channel.attr(PENDING).set(new PendingRequests(peer, loop));
        connecting.addListener(done -> onConnectResult(connecting, ready, done.cause()));
        channel.closeFuture().addListener(done -> onClosed(ready));
        connection = ready;
        return ready;
    }

    /**
     * Opens a new channel to the peer. A peer at a loopback address may be a node of this
     * same process: then the channel binds its local port first and records it with its loop
     * ({@link LoopAffinity}) before connecting, so that the peer, accepting it, serves it on
     * this loop. Recording after the connect would race the peer's accept.
     */
    private ChannelFuture connect() {
        InetAddress ip = address.getAddress();
        if (ip == null || !ip.isLoopbackAddress()) {
            return bootstrap().connect(address);
        }
        ChannelFuture registered = bootstrap().register();
        Channel channel = registered.channel();
        ChannelPromise connected = channel.newPromise();
        registered.addListener(done -> {
            if (!done.isSuccess()) {
                connected.tryFailure(done.cause());
                return;
            }
            channel.bind(new InetSocketAddress(ip, 0)).addListener(bound -> {
                if (!bound.isSuccess()) {
                    connected.tryFailure(bound.cause());
                    return;
                }
                LoopAffinity affinity = owner.runtime().affinity();
                SocketAddress local = channel.localAddress();
                affinity.opening(local, loop);
                channel.closeFuture().addListener(closed -> affinity.closed(local));
                channel.connect(address, connected);
            });
        });
        return connected;
    }

    /** Connected: writes the handshake, then is ready at once, or once the peer's challenge is answered. */
    private void onConnectResult(ChannelFuture connecting, ChannelPromise ready, Throwable cause) {
        Channel channel = connecting.channel();
        if (cause == null) {
            PeerSecret secret = owner.secret();
            Handshake handshake = new Handshake(owner.self(), peer, owner.fingerprint(),
                    secret == null ? Handshake.NO_NONCE : secret.newNonce());
            if (secret != null) {
                channel.attr(AWAITING_CHALLENGE).set(new AwaitedChallenge(handshake, ready));
            }
            channel.writeAndFlush(handshake, channel.voidPromise());
            if (secret == null) {
                becameReady(ready);
            }
            return;
        }
        backOff("connect failed: " + reason(cause));
        ready.tryFailure(cause);
        channel.close();
    }

    private void becameReady(ChannelPromise ready) {
        synchronized (this) {
            backoffMillis = MIN_BACKOFF_MILLIS;
        }
        ready.trySuccess();
    }

    private synchronized void backOff(String failure) {
        lastFailure = failure;
        retryAtNanos = System.nanoTime() + backoffMillis * 1_000_000;
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    }

    private void onClosed(ChannelPromise closedConnection) {
        boolean wasReady = closedConnection.isSuccess();
        synchronized (this) {
            if (connection == closedConnection) {
                connection = null;
            }
        }
        if (!wasReady && !closedConnection.isDone()) {
            // Connected but closed before it was ready: the peer refused the handshake (its log says why).
            backOff("closed during the handshake (refused by the peer, or TLS or a proof of the cluster-secret"
                    + " failed: see the logs)");
            closedConnection.tryFailure(new PeerUnavailableException(peer, "unreachable: " + lastFailure()));
        }
        closedConnection.channel().attr(PENDING).get().failAll("connection lost before it answered");
    }

    private synchronized String lastFailure() {
        return lastFailure;
    }

    private Bootstrap bootstrap() {
        NettyRuntime runtime = owner.runtime();
        return new Bootstrap()
                .group(loop)
                .channel(runtime.channelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        owner.tls().securePeerOutbound(ch, peer, address, PeerConnection.this::tlsFailed);
                        ch.pipeline().addLast(
                                new FrameEncoder(),
                                new FrameCoalescer(),
                                new FrameDecoder(owner.maxFrameBytes()),
                                new ResponseHandler());
                    }
                });
    }

    /**
     * The peer refused this node's certificate, or showed one this node does not trust: a
     * matter of configuration, not of a moment, so the next attempt waits the longest backoff.
     */
    private synchronized void tlsFailed(String reason) {
        lastFailure = reason;
        backoffMillis = MAX_BACKOFF_MILLIS;
        retryAtNanos = System.nanoTime() + MAX_BACKOFF_MILLIS * 1_000_000;
    }

    private static String reason(Throwable cause) {
        return cause == null || cause.getMessage() == null ? String.valueOf(cause) : cause.getMessage();
    }

    /** Receives the peer's responses on this connection and completes the matching requests. */
    private final class ResponseHandler extends SimpleChannelInboundHandler<Object> {

        /** The channel's requests, looked up once: an attribute lookup per response showed in profiles. */
        private PendingRequests pending;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object message) {
            if (pending == null) {
                // The first message: with a cluster-secret the peer's challenge (set before the handshake left).
                pending = ctx.channel().attr(PENDING).get();
                AwaitedChallenge awaited = ctx.channel().attr(AWAITING_CHALLENGE).getAndSet(null);
                if (awaited != null) {
                    answerChallenge(ctx, awaited, message);
                    return;
                }
            }
            if (message instanceof Challenge) {
                throw new CorruptedFrameException("peer asks for the cluster-secret, and this node has none set"
                        + " (set the same cluster-secret on every node)");
            }
            if (message instanceof Frame frame && frame.kind() == Frame.Kind.RESPONSE) {
                pending.complete(frame.correlationId(), frame.message());
            } else {
                throw new CorruptedFrameException("peer sent " + message.getClass().getSimpleName()
                        + " where only responses belong");
            }
        }

        /** Checks the peer's proof of the secret, answers with this node's, and lets requests go. */
        private void answerChallenge(ChannelHandlerContext ctx, AwaitedChallenge awaited, Object message) {
            PeerSecret secret = owner.secret();
            Handshake sent = awaited.sent();
            if (!(message instanceof Challenge challenge)
                    || !PeerSecret.matches(secret.acceptorProof(sent, challenge.nonce()), challenge.proof())) {
                throw new CorruptedFrameException("peer did not prove it knows the cluster-secret (a different"
                        + " secret, or not a node of this cluster)");
            }
            ctx.writeAndFlush(new Proof(secret.connectorProof(sent, challenge.nonce())), ctx.voidPromise());
            becameReady(awaited.ready());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("{}: closing connection to {} at {}: {}", owner.self(), peer, address, cause.toString());
            synchronized (PeerConnection.this) {
                lastFailure = cause.toString();
            }
            ctx.close();
        }
    }
}
