package io.dkv.server.net;

import io.dkv.cluster.runtime.Cancellable;
import io.dkv.cluster.runtime.Scheduler;
import io.netty.channel.EventLoop;

import java.util.concurrent.TimeUnit;

/** A node's scheduler in the real runtime: one event loop, the node's own thread for its timed work. */
public final class EventLoopScheduler implements Scheduler {

    private final EventLoop loop;

    public EventLoopScheduler(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(task);
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        var future = loop.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public Cancellable scheduleAtFixedRate(long initialDelayMillis, long periodMillis, Runnable task) {
        var future = loop.scheduleAtFixedRate(task, initialDelayMillis, periodMillis, TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }
}
