package io.dkv.testkit.sim;

import io.dkv.cluster.runtime.Cancellable;
import io.dkv.cluster.runtime.MessageHandler;
import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.NodeId;
import io.dkv.core.message.Message;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One node incarnation's end of the simulated network. Messages are handed over as objects
 * (they are immutable); requests are matched to replies by id and time out on the node's
 * virtual clock.
 */
final class SimTransport implements Transport {

    private final NodeId self;
    private final SimNetwork network;
    private final SimScheduler scheduler;
    private final Map<Long, Pending> pending = new HashMap<>();
    private MessageHandler handler;
    private long nextRequestId;

    SimTransport(NodeId self, SimNetwork network, SimScheduler scheduler) {
        this.self = self;
        this.network = network;
        this.scheduler = scheduler;
    }

    NodeId self() {
        return self;
    }

    @Override
    public void bind(MessageHandler handler) {
        this.handler = handler;
        network.register(self, this);
    }

    /** Disconnects this incarnation: it receives nothing more, and its replies are lost. */
    void close() {
        network.unregister(self, this);
        pending.clear();
    }

    @Override
    public void send(NodeId to, Message message) {
        network.send(self, to, message, endpoint -> endpoint.handler.onMessage(self, message));
    }

    @Override
    public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
        CompletableFuture<Message> future = new CompletableFuture<>();
        long id = nextRequestId++;
        Cancellable timeout = scheduler.schedule(timeoutMillis, () -> {
            if (pending.remove(id) != null) {
                future.completeExceptionally(PeerUnavailableException.timedOut(to, timeoutMillis));
            }
        });
        pending.put(id, new Pending(future, timeout));
        network.send(self, to, request, endpoint -> endpoint.handler.onRequest(self, request,
                reply -> network.reply(endpoint, this, () -> complete(id, reply))));
        return future;
    }

    private void complete(long id, Message reply) {
        Pending waiting = pending.remove(id);
        if (waiting != null) {
            waiting.timeout.cancel();
            waiting.future.complete(reply);
        }
    }

    private record Pending(CompletableFuture<Message> future, Cancellable timeout) {
    }
}
