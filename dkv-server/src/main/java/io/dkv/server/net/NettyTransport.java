package io.dkv.server.net;

import io.dkv.cluster.runtime.MessageHandler;
import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.NodeId;
import io.dkv.core.message.Message;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The real-network {@link Transport}: length-prefixed binary frames over TCP, reused
 * outbound connections to each peer (one per event loop) carrying many concurrent requests
 * matched by correlation id.
 *
 * <p>Thread-safe.
 */
public final class NettyTransport implements Transport, AutoCloseable {

    private final NodeId self;
    private final NettyRuntime runtime;
    private final InetSocketAddress listenAddress;
    private final Function<NodeId, InetSocketAddress> peerAddresses;
    private final long fingerprint;
    private final int maxFrameBytes;
    private final PeerSecret secret;
    private final NodeTls tls;
    private final List<EventLoop> loops = new ArrayList<>();
    private final Map<NodeId, PeerConnection[]> connections = new ConcurrentHashMap<>();
    /** Addresses of nodes that joined after start, learnt from the ring ({@link #learnPeer}). */
    private final Map<NodeId, InetSocketAddress> learned = new ConcurrentHashMap<>();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private volatile Listener listener;

    /**
     * @param self          this node
     * @param runtime       shared event loops
     * @param listenAddress where peers connect to this node
     * @param peerAddresses where to reach each configured peer's internode port (null for
     *                      others: nodes that joined later are found by {@link #learnPeer})
     * @param fingerprint   a digest of the cluster settings; peers must present the same
     * @param maxFrameBytes frames longer than this close the connection
     * @param secret        the cluster-secret peers must prove, both ways; null for none
     * @param tls           with {@code tls-cluster}, mutual TLS on every connection, both ways
     */
    public NettyTransport(NodeId self, NettyRuntime runtime, InetSocketAddress listenAddress,
                          Function<NodeId, InetSocketAddress> peerAddresses, long fingerprint,
                          int maxFrameBytes, PeerSecret secret, NodeTls tls) {
        this.self = self;
        this.runtime = runtime;
        this.listenAddress = listenAddress;
        this.peerAddresses = peerAddresses;
        this.fingerprint = fingerprint;
        this.maxFrameBytes = maxFrameBytes;
        this.secret = secret;
        this.tls = tls;
        runtime.group().forEach(executor -> loops.add((EventLoop) executor));
    }

    /** Starts listening for peers; fails with a clear message when the port is taken. */
    @Override
    public void bind(MessageHandler handler) {
        listener = Listener.open(runtime, self + " cannot listen for peers", listenAddress,
                bootstrap -> bootstrap.childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.SO_KEEPALIVE, true),
                ch -> {
                    tls.securePeerInbound(ch);
                    ch.pipeline().addLast(
                            new FrameEncoder(),
                            new FrameCoalescer(),
                            FrameDecoder.inbound(maxFrameBytes, secret == null ? 1 : 2),
                            new InboundHandler(NettyTransport.this, handler));
                });
    }

    @Override
    public void send(NodeId to, Message message) {
        PeerConnection connection = connection(to);
        if (connection != null) {
            connection.send(message);
        }
    }

    @Override
    public void learnPeer(NodeId node, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || node.equals(self)) {
            return;
        }
        try {
            learned.putIfAbsent(node, new InetSocketAddress(hostPort.substring(0, colon),
                    Integer.parseInt(hostPort.substring(colon + 1))));
        } catch (IllegalArgumentException e) {
            // A malformed address names no reachable node; requests to it fail as unreachable.
        }
    }

    /**
     * A host name is resolved when a connection is created, not when the peer is looked up:
     * the lookup runs for every request (resolving there cost 4 % of a 3-node cluster's CPU),
     * a connection once, and a name that moves to a new address is still followed on the
     * next connection.
     */
    private static InetSocketAddress resolved(InetSocketAddress address) {
        return address.isUnresolved() ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
    }

    /** Where {@code node} listens: its configured address, or the one learnt when it joined; null when unknown. */
    private InetSocketAddress address(NodeId node) {
        InetSocketAddress configured = peerAddresses.apply(node);
        return configured != null ? configured : learned.get(node);
    }

    @Override
    public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
        CompletableFuture<Message> reply = new CompletableFuture<>();
        request(to, request, timeoutMillis, Transport.completing(reply));
        return reply;
    }

    @Override
    public void request(NodeId to, Message request, long timeoutMillis, BiConsumer<Message, Throwable> answer) {
        if (to.equals(self)) {
            answer.accept(null, new PeerUnavailableException(to, "is this node; call it directly"));
            return;
        }
        PeerConnection connection = connection(to);
        if (connection == null) {
            answer.accept(null, new PeerUnavailableException(to, "has no known address"));
            return;
        }
        connection.request(request, timeoutMillis, answer);
    }

    /** The port peers connect to (useful when bound to port 0). */
    public int port() {
        return listener.port();
    }

    /** Stops listening and drops every connection, inbound and outbound, as a crash would. */
    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
        connections.values().forEach(perLoop -> {
            for (PeerConnection connection : perLoop) {
                if (connection != null) {
                    connection.close();
                }
            }
        });
    }

    NodeId self() {
        return self;
    }

    NettyRuntime runtime() {
        return runtime;
    }

    long fingerprint() {
        return fingerprint;
    }

    int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** The cluster-secret peers prove, or null. */
    PeerSecret secret() {
        return secret;
    }

    NodeTls tls() {
        return tls;
    }

    /** Why a handshake is refused, or {@code null} to accept it. */
    String refusal(Handshake handshake) {
        if (!self.equals(handshake.to())) {
            return "it meant to reach " + handshake.to() + " but this is " + self + " (check the peer addresses)";
        }
        if (handshake.from().equals(self)) {
            return handshake.from() + " is this node's own id (two nodes share it?)";
        }
        if (handshake.clusterFingerprint() != fingerprint) {
            return "its cluster settings (replicas, partitions, ring seed) differ from this node's";
        }
        return null;
    }

    /** A peer opened a connection to this node: it is up, so reconnect to it without waiting. */
    void peerConnected(NodeId peer) {
        PeerConnection[] perLoop = connections.get(peer);
        if (perLoop != null) {
            for (PeerConnection connection : perLoop) {
                if (connection != null) {
                    connection.peerSeen();
                }
            }
        }
    }

    /*
     * One outbound connection per peer and per event loop. A client request is handled on
     * its connection's loop; sending to the peer on a connection of that same loop means
     * the request is written, its reply read, and the client answered, all on one thread,
     * without handing work between threads (each hand-over costs a queue and a wake-up,
     * which dominated the profile of a 3-node cluster on 2 cores). Null when {@code to}
     * has no known address.
     */
    private PeerConnection connection(NodeId to) {
        PeerConnection[] perLoop = connections.get(to);
        int index = currentLoop();
        PeerConnection connection = perLoop == null ? null : perLoop[index];
        if (connection != null) {
            return connection;
        }
        // The address is looked up only to make a connection, not on every request.
        InetSocketAddress address = address(to);
        if (address == null) {
            return null;
        }
        perLoop = connections.computeIfAbsent(to, peer -> new PeerConnection[loops.size()]);
        synchronized (perLoop) {
            connection = perLoop[index];
            if (connection == null) {
                connection = new PeerConnection(to, resolved(address), this, loops.get(index));
                perLoop[index] = connection;
            }
        }
        return connection;
    }

    /** The index of the event loop running this thread, or a rotating one for other threads. */
    private int currentLoop() {
        for (int i = 0; i < loops.size(); i++) {
            if (loops.get(i).inEventLoop()) {
                return i;
            }
        }
        return Math.floorMod(roundRobin.getAndIncrement(), loops.size());
    }
}
