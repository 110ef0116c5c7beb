package io.dkv.server.net;

import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.core.NodeId;
import io.dkv.core.message.Message;
import io.netty.channel.EventLoop;
import io.netty.util.Timeout;
import io.netty.util.Timer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests waiting for a response on one outbound connection, by correlation id.
 * Thread-safe: requests are registered from any thread, responses and timeouts complete
 * them from the event loop and the timer thread. A request registered on the connection's
 * own event loop times out through that loop's scheduler, so the common path crosses no
 * thread; others use the shared wheel timer.
 */
final class PendingRequests {

    private final NodeId peer;
    private final Timer timer;
    private final EventLoop loop;
    private final AtomicLong nextId = new AtomicLong(1);
    private final ConcurrentHashMap<Long, Waiting> waiting = new ConcurrentHashMap<>();

    PendingRequests(NodeId peer, Timer timer, EventLoop loop) {
        this.loop = loop;
        this.peer = peer;
        this.timer = timer;
    }

    /** Registers a request; its future fails on its own if no response comes in time. */
    long register(CompletableFuture<Message> future, long timeoutMillis) {
        long id = nextId.getAndIncrement();
        Waiting entry = new Waiting(future);
        waiting.put(id, entry);
        Runnable expire = () -> {
            if (waiting.remove(id) != null) {
                future.completeExceptionally(PeerUnavailableException.timedOut(peer, timeoutMillis));
            }
        };
        if (loop.inEventLoop()) {
            entry.scheduled = loop.schedule(expire, timeoutMillis, TimeUnit.MILLISECONDS);
        } else {
            entry.timeout = timer.newTimeout(t -> expire.run(), timeoutMillis, TimeUnit.MILLISECONDS);
        }
        return id;
    }

    void complete(long id, Message response) {
        Waiting entry = waiting.remove(id);
        if (entry != null) {
            entry.cancelTimeout();
            entry.future.complete(response);
        }
    }

    void fail(long id, String reason) {
        Waiting entry = waiting.remove(id);
        if (entry != null) {
            entry.cancelTimeout();
            entry.future.completeExceptionally(new PeerUnavailableException(peer, reason));
        }
    }

    /** Fails everything still waiting: the connection they were sent on is gone. */
    void failAll(String reason) {
        for (Long id : waiting.keySet()) {
            fail(id, reason);
        }
    }

    int size() {
        return waiting.size();
    }

    private static final class Waiting {
        private final CompletableFuture<Message> future;
        private volatile Timeout timeout;
        private volatile ScheduledFuture<?> scheduled;

        Waiting(CompletableFuture<Message> future) {
            this.future = future;
        }

        void cancelTimeout() {
            Timeout onWheel = timeout;
            if (onWheel != null) {
                onWheel.cancel();
            }
            ScheduledFuture<?> onLoop = scheduled;
            if (onLoop != null) {
                onLoop.cancel(false);
            }
        }
    }
}
