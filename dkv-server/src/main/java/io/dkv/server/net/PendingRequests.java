package io.dkv.server.net;

import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.cluster.runtime.RequestAnswers;
import io.dkv.core.NodeId;
import io.dkv.core.message.Message;
import io.netty.channel.EventLoop;
import io.netty.util.collection.LongObjectHashMap;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The requests waiting for a response on one outbound connection, by correlation id, and
 * their timeouts.
 *
 * <p>Confined to the connection's event loop: every method must be called on it. That is
 * what keeps the per-request cost to a primitive-keyed map and a queue append. Timeouts
 * need no scheduled task per request (profiling showed the event loop's priority queue
 * costing more than the map): requests with the same timeout expire in the order they were
 * sent, so each timeout length gets a first-in-first-out queue, and one sweep, armed at the
 * earliest deadline still open, expires what is due. Exactly one sweep is scheduled while
 * anything waits.
 *
 * <p>A request whose frame waits behind others on the connection ({@link #registerQueued})
 * starts its timeout when its frame is written ({@link #written}): the timeout is how long
 * the peer may take to answer, not how long this node's own queue takes to drain (fifty
 * concurrent 1 MiB writes queue 50 MiB on one connection). A backstop, several times the
 * timeout, still fails it when the frame is never written, as when the peer stopped reading.
 */
final class PendingRequests {

    private final NodeId peer;
    private final EventLoop loop;
    /** By {@link #slotKey}(id): Netty's map does not mix keys, and sequential keys make long probe runs. */
    private final LongObjectHashMap<Waiting> waiting = new LongObjectHashMap<>();
    /** Per timeout length (ms): waiting requests in deadline order; answered ones are skipped lazily. */
    private final LongObjectHashMap<ArrayDeque<Waiting>> byTimeout = new LongObjectHashMap<>();
    private long nextId = 1;
    private long sweepAtNanos = Long.MAX_VALUE;
    private ScheduledFuture<?> sweepTask;

    PendingRequests(NodeId peer, EventLoop loop) {
        this.peer = peer;
        this.loop = loop;
    }

    /**
     * Registers a request; {@code answer} gets its response, or a failure of its own if none
     * comes in time ({@link io.dkv.cluster.runtime.Transport#request(NodeId, Message, long, BiConsumer)}).
     */
    long register(BiConsumer<Message, Throwable> answer, long timeoutMillis) {
        assert loop.inEventLoop();
        Waiting entry = new Waiting(nextId++, answer, timeoutMillis, true);
        waiting.put(slotKey(entry.id), entry);
        enqueue(entry, timeoutMillis);
        return entry.id;
    }

    /**
     * Registers a request whose frame is queued behind others: it times out {@code
     * timeoutMillis} after {@link #written}, or {@code backstopMillis} after now if it is
     * never written.
     */
    long registerQueued(BiConsumer<Message, Throwable> answer, long timeoutMillis, long backstopMillis) {
        assert loop.inEventLoop();
        Waiting entry = new Waiting(nextId++, answer, timeoutMillis, false);
        waiting.put(slotKey(entry.id), entry);
        enqueue(entry, backstopMillis);
        return entry.id;
    }

    /** The frame of a request from {@link #registerQueued} reached the socket: its timeout starts now. */
    void written(long id) {
        assert loop.inEventLoop();
        Waiting entry = waiting.get(slotKey(id));
        if (entry != null && !entry.written) {
            entry.written = true;
            enqueue(entry, entry.timeoutMillis);
        }
    }

    /**
     * Adds {@code entry} to the queue of requests that expire {@code afterMillis} from now.
     * Deadlines only move earlier, so an entry that moves to a shorter queue leaves its old
     * one in order; it is skipped there once answered or expired.
     */
    private void enqueue(Waiting entry, long afterMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(afterMillis);
        if (!entry.queued || deadline - entry.deadlineNanos < 0) {
            entry.deadlineNanos = deadline;
        }
        entry.queued = true;
        ArrayDeque<Waiting> queue = byTimeout.get(afterMillis);
        if (queue == null) {
            queue = new ArrayDeque<>();
            byTimeout.put(afterMillis, queue);
        }
        queue.addLast(entry);
        armSweep(entry.deadlineNanos);
    }

    void complete(long id, Message response) {
        BiConsumer<Message, Throwable> answer = remove(id);
        if (answer != null) {
            RequestAnswers.deliver(answer, response, null, peer);
        }
    }

    void fail(long id, String reason) {
        BiConsumer<Message, Throwable> answer = remove(id);
        if (answer != null) {
            RequestAnswers.deliver(answer, null, new PeerUnavailableException(peer, reason), peer);
        }
    }

    /** Fails everything still waiting: the connection they were sent on is gone. */
    void failAll(String reason) {
        List<Waiting> all = new ArrayList<>(waiting.values());
        for (Waiting entry : all) {
            fail(entry.id, reason);
        }
    }

    /** Takes a request out; its answer, or {@code null} when it was already answered or expired. */
    private BiConsumer<Message, Throwable> remove(long id) {
        assert loop.inEventLoop();
        Waiting entry = waiting.remove(slotKey(id));
        if (entry == null) {
            return null;
        }
        BiConsumer<Message, Throwable> answer = entry.answer;
        entry.answer = null; // the entry may stay queued until the sweep; it must not hold the caller
        dropAnsweredHeads(byTimeout.get(entry.timeoutMillis));
        return answer;
    }

    /** Answers mostly come in order, so trimming answered entries at the head keeps queues short. */
    private static void dropAnsweredHeads(ArrayDeque<Waiting> queue) {
        while (queue != null && !queue.isEmpty() && queue.peekFirst().answer == null) {
            queue.pollFirst();
        }
    }

    /**
     * Spreads sequential ids over the table. Multiplying by an odd constant is a bijection on
     * longs, so distinct ids stay distinct keys. Without it, removals from a table of
     * consecutive keys shift whole runs: a quarter of all CPU samples under pipelined load.
     */
    private static long slotKey(long id) {
        return id * 0x9E3779B97F4A7C15L;
    }

    private void armSweep(long deadlineNanos) {
        if (deadlineNanos - sweepAtNanos < 0 || sweepTask == null) {
            if (sweepTask != null) {
                sweepTask.cancel(false); // rare: a shorter timeout registered after longer ones
            }
            sweepAtNanos = deadlineNanos;
            sweepTask = loop.schedule(this::sweep, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private void sweep() {
        sweepTask = null;
        long now = System.nanoTime();
        List<Waiting> expired = new ArrayList<>();
        long next = Long.MAX_VALUE;
        for (ArrayDeque<Waiting> queue : byTimeout.values()) {
            while (!queue.isEmpty()) {
                Waiting head = queue.peekFirst();
                if (head.answer == null) {
                    queue.pollFirst();
                } else if (head.deadlineNanos - now <= 0) {
                    queue.pollFirst();
                    expired.add(head);
                } else {
                    next = Math.min(next, head.deadlineNanos);
                    break;
                }
            }
        }
        if (next != Long.MAX_VALUE) {
            armSweep(next);
        }
        for (Waiting entry : expired) {
            BiConsumer<Message, Throwable> answer = remove(entry.id);
            if (answer != null) {
                PeerUnavailableException failure = entry.written ? PeerUnavailableException.timedOut(peer, entry.timeoutMillis)
                        : new PeerUnavailableException(peer, "request not sent within "
                                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - entry.registeredNanos)
                                + " ms: the connection to it is backed up (is it reading?)");
                RequestAnswers.deliver(answer, null, failure, peer);
            }
        }
    }

    private static final class Waiting {
        final long id;
        /** Null once answered, failed or expired. */
        BiConsumer<Message, Throwable> answer;
        final long timeoutMillis;
        /** When a request that was queued behind others registered (for its failure's message), else 0. */
        final long registeredNanos;
        /** Only ever moves earlier (see {@link #enqueue}). */
        long deadlineNanos;
        /** Whether {@link #deadlineNanos} is set. */
        boolean queued;
        /** Whether the frame reached the socket, so the timeout runs. */
        boolean written;

        Waiting(long id, BiConsumer<Message, Throwable> answer, long timeoutMillis, boolean written) {
            this.id = id;
            this.answer = answer;
            this.timeoutMillis = timeoutMillis;
            this.written = written;
            this.registeredNanos = written ? 0 : System.nanoTime();
        }
    }
}
