package io.dkv.cluster.truncate;

import io.dkv.cluster.runtime.Cancellable;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.DkvException;
import io.dkv.core.NodeId;
import io.dkv.core.message.TruncateReply;
import io.dkv.core.message.TruncateRequest;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Holds a restarting node's client commands until it has learnt the cluster's newest
 * truncation mark: it may have been down during a FLUSHALL, and then holds flushed entries
 * and would stamp writes below the mark.
 *
 * <p>A FLUSHALL answers OK only once a majority of the members hold its mark durably; so a
 * node that hears the marks of a majority (itself included) has heard of every flush that
 * answered OK. It asks every member ({@link TruncateRequest} with its own mark, which also
 * passes that on), again every {@link #RETRY_MILLIS} until a majority answered, and counts
 * their gossip too. Client commands wait meanwhile, up to {@link #MAX_WAIT_MILLIS}, then fail
 * with an error that says why. A node that is alone (no majority up) keeps refusing: it
 * cannot know whether it missed a flush. A node that starts empty and never flushed has
 * nothing to hide and starts open.
 *
 * <p>Thread-safe.
 */
public final class TruncationGate {

    static final long RETRY_MILLIS = 500;
    static final long MAX_WAIT_MILLIS = 10_000;

    /** @param members the nodes of the ring in force (this node included) */
    public record Parts(NodeId self, Supplier<Collection<NodeId>> members, TruncationReplica replica,
                        Transport transport, Scheduler scheduler, long requestTimeoutMillis) {
    }

    private final Parts parts;
    private final Set<NodeId> heard = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> opened = new CompletableFuture<>();
    private volatile Cancellable retries;

    /** @param closed whether the node must learn the newest mark before it serves */
    public TruncationGate(Parts parts, boolean closed) {
        this.parts = parts;
        if (!closed) {
            opened.complete(null);
        }
    }

    /** Starts asking the members, unless already open. */
    public void start() {
        // A node that is a majority on its own (a one-node cluster) needs nobody.
        heard(parts.self(), parts.replica().marks().current().stamp());
        if (!isOpen()) {
            retries = parts.scheduler().scheduleAtFixedRate(0, RETRY_MILLIS, this::askRound);
        }
    }

    public void stop() {
        Cancellable running = retries;
        if (running != null) {
            running.cancel();
        }
    }

    public boolean isOpen() {
        return opened.isDone();
    }

    private void askRound() {
        if (isOpen()) {
            stop();
            return;
        }
        heard(parts.self(), parts.replica().marks().current().stamp());
        TruncateRequest ask = new TruncateRequest(parts.replica().marks().current().stamp(), false);
        for (NodeId node : parts.members().get()) {
            if (!heard.contains(node)) {
                parts.transport().request(node, ask, parts.requestTimeoutMillis()).thenAccept(reply -> {
                    if (reply instanceof TruncateReply mark) {
                        heard(node, mark.stamp());
                    }
                });
            }
        }
    }

    /** A member's mark, from its answer or its gossip. */
    public void heard(NodeId node, long stamp) {
        parts.replica().learn(stamp);
        if (isOpen()) {
            return;
        }
        heard.add(node);
        Collection<NodeId> members = parts.members().get();
        long known = members.stream().filter(heard::contains).count();
        if (known >= members.size() / 2 + 1) {
            opened.complete(null);
        }
    }

    /** Runs a client command once the gate is open, or fails it after {@link #MAX_WAIT_MILLIS}. */
    public <T> CompletableFuture<T> guard(Supplier<CompletableFuture<T>> command) {
        if (isOpen()) {
            return command.get();
        }
        CompletableFuture<Void> waited = new CompletableFuture<>();
        opened.thenRun(() -> waited.complete(null));
        Cancellable timeout = parts.scheduler().schedule(MAX_WAIT_MILLIS, () -> waited.completeExceptionally(
                new DkvException(parts.self() + " restarted and has not yet heard from a majority of the"
                        + " nodes (" + heard.size() + " of " + parts.members().get().size() + "), so it cannot tell"
                        + " whether a FLUSHALL ran while it was down; it serves once it has")));
        return waited.thenCompose(done -> {
            timeout.cancel();
            return command.get();
        });
    }
}
