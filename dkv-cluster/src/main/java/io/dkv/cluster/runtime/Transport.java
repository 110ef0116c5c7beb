package io.dkv.cluster.runtime;

import io.dkv.core.NodeId;
import io.dkv.core.message.Message;

import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

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
     * Sends a request as {@link #request(NodeId, Message, long)} does, but hands the outcome to
     * {@code answer} instead of completing a future: the peer's reply with a null failure, or a
     * null reply with the {@link PeerUnavailableException}; once, on the thread the future
     * would have completed on. For the hot path: a quorum write otherwise builds a future and
     * a completion stage per replica. An exception {@code answer} throws is the caller's bug;
     * implementations log it and carry on ({@link RequestAnswers#deliver}).
     */
    default void request(NodeId to, Message request, long timeoutMillis, BiConsumer<Message, Throwable> answer) {
        request(to, request, timeoutMillis)
                .whenComplete((reply, failure) -> RequestAnswers.deliver(answer, reply, failure, to));
    }

    /** An answer that completes {@code future} with the reply, or exceptionally with the failure. */
    static BiConsumer<Message, Throwable> completing(CompletableFuture<Message> future) {
        return (reply, failure) -> {
            if (failure == null) {
                future.complete(reply);
            } else {
                future.completeExceptionally(failure);
            }
        };
    }

    /**
     * Records where a node that joined after the cluster was configured listens for peers
     * ({@code host:port}). A transport that needs no addresses (the simulator's) ignores it.
     */
    default void learnPeer(NodeId node, String hostPort) {
    }
}
