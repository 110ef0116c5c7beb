package io.dkv.server.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * The event loops accepted connections are registered on: the process's own loops, except
 * that a connection opened by one of them (an internode connection between two nodes of this
 * process, see {@link LoopAffinity}) lands on the loop that opened it rather than the next in
 * turn. Every other duty goes to the shared group; shutting this view down is left to it.
 */
final class AcceptingGroup extends AbstractEventExecutorGroup implements EventLoopGroup {

    private final EventLoopGroup loops;
    private final LoopAffinity affinity;

    AcceptingGroup(EventLoopGroup loops, LoopAffinity affinity) {
        this.loops = loops;
        this.affinity = affinity;
    }

    private EventLoop loopFor(Channel channel) {
        EventLoop opener = affinity.openerOf(channel.remoteAddress());
        return opener != null ? opener : loops.next();
    }

    @Override
    public ChannelFuture register(Channel channel) {
        return loopFor(channel).register(channel);
    }

    @Override
    public ChannelFuture register(ChannelPromise promise) {
        return loopFor(promise.channel()).register(promise);
    }

    @Deprecated
    @Override
    public ChannelFuture register(Channel channel, ChannelPromise promise) {
        return loopFor(channel).register(promise);
    }

    @Override
    public EventLoop next() {
        return loops.next();
    }

    @Override
    public Iterator<EventExecutor> iterator() {
        return loops.iterator();
    }

    @Override
    public boolean isShuttingDown() {
        return loops.isShuttingDown();
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        return loops.terminationFuture();
    }

    @Override
    public Future<?> terminationFuture() {
        return loops.terminationFuture();
    }

    @Deprecated
    @Override
    public void shutdown() {
        // The shared group is shut down by its owner, NettyRuntime.
    }

    @Override
    public boolean isShutdown() {
        return loops.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return loops.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return loops.awaitTermination(timeout, unit);
    }
}
