package io.dkv.cluster.runtime;

import io.dkv.core.NodeId;
import io.dkv.core.message.Message;

import java.util.concurrent.CompletableFuture;

/**
 * How a node reaches its peers. Implemented by the simulator's network and by the Netty
 * transport; node logic cannot tell them apart.
 *
 * <p>Implementations are thread-safe. Replies and timeouts may complete futures on any
 * thread.
 */
public interface Transport {

    /** Registers the node that receives this transport's inbound messages. Called once. */
    void bind(MessageHandler handler);

    /** Sends a one-way message. Delivery is not guaranteed and nothing reports a loss. */
    void send(NodeId to, Message message);

    /**
     * Sends a request. The future completes with the peer's reply, or exceptionally with
     * {@link PeerUnavailableException} when no reply came within {@code timeoutMillis} or the
     * peer could not be reached.
     */
    CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis);

    /**
     * Records where a node that joined after the cluster was configured listens for peers
     * ({@code host:port}). A transport that needs no addresses (the simulator's) ignores it.
     */
    default void learnPeer(NodeId node, String hostPort) {
    }
}
