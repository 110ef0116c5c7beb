package io.dkv.cluster.rebalance;

import io.dkv.cluster.runtime.Scheduler;
import io.dkv.core.DkvException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The ring state a node routes by, replaced whole when a newer epoch is installed; and the
 * last few states, so that a replica can tell whether a request routed by an older epoch
 * is still right for its partition.
 *
 * <p>Thread-safe: {@link #state} is a volatile read; installs and waits are synchronized
 * and listeners run outside the lock.
 */
public final class RingHolder {

    /** States kept for fencing: enough for every change a slow coordinator can be behind by in practice. */
    static final int HISTORY = 16;

    private final Scheduler scheduler;
    private final Deque<RingState> history = new ArrayDeque<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final List<Consumer<RingState>> listeners = new CopyOnWriteArrayList<>();
    private volatile RingState state;

    public RingHolder(RingState initial, Scheduler scheduler) {
        this.state = initial;
        this.scheduler = scheduler;
        history.addFirst(initial);
    }

    public RingState state() {
        return state;
    }

    public long epoch() {
        return state.epoch();
    }

    /**
     * Makes {@code newer} the state this node routes by, when its epoch is higher than the
     * one in force (epochs only move forward; an older or equal one is ignored).
     *
     * @return whether it was installed
     */
    public boolean install(RingState newer) {
        List<Waiter> woken = new ArrayList<>();
        synchronized (this) {
            if (newer.epoch() <= state.epoch()) {
                return false;
            }
            state = newer;
            history.addFirst(newer);
            while (history.size() > HISTORY) {
                history.removeLast();
            }
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter waiter = it.next();
                if (waiter.epoch <= newer.epoch()) {
                    it.remove();
                    woken.add(waiter);
                }
            }
        }
        for (Consumer<RingState> listener : listeners) {
            listener.accept(newer);
        }
        woken.forEach(waiter -> waiter.future.complete(newer));
        return true;
    }

    /** The state this node routed by at {@code epoch}, or {@code null} when it never knew it or has forgotten it. */
    public synchronized RingState atEpoch(long epoch) {
        for (RingState known : history) {
            if (known.epoch() == epoch) {
                return known;
            }
        }
        return null;
    }

    /** Called with every state installed after this call. */
    public void onInstall(Consumer<RingState> listener) {
        listeners.add(listener);
    }

    /**
     * Completes with the state in force once its epoch is at least {@code epoch}; fails
     * after {@code timeoutMillis} (on the node's scheduler) when no such state arrived.
     */
    public CompletableFuture<RingState> awaitEpoch(long epoch, long timeoutMillis) {
        Waiter waiter;
        synchronized (this) {
            if (state.epoch() >= epoch) {
                return CompletableFuture.completedFuture(state);
            }
            waiter = new Waiter(epoch, new CompletableFuture<>());
            waiters.add(waiter);
        }
        scheduler.schedule(timeoutMillis, () -> {
            synchronized (this) {
                waiters.remove(waiter);
            }
            waiter.future.completeExceptionally(new DkvException("ring epoch " + epoch + " did not arrive within "
                    + timeoutMillis + " ms (this node has epoch " + state.epoch() + ")"));
        });
        return waiter.future;
    }

    private record Waiter(long epoch, CompletableFuture<RingState> future) {
    }
}
