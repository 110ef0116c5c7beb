package io.dkv.server.net;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.TimeUnit;

/**
 * The threads every node in one process shares: one event loop group for all sockets
 * (client and internode, accept and I/O); request timeouts run on those loops too.
 * Uses epoll when the native library loads, NIO otherwise.
 *
 * <p>Sharing matters when many nodes run in one JVM (dkv local, tests): threads stay at
 * the number of cores, not nodes x cores. Besides, one thread for long scans of storage
 * (building Merkle trees after a start), so they never hold an event loop.
 */
public final class NettyRuntime implements AutoCloseable {

    private final boolean epoll;
    private final EventLoopGroup group;
    private final LoopAffinity affinity = new LoopAffinity();
    private final EventLoopGroup accepting;
    private final EventLoop scans = new DefaultEventLoop(new DefaultThreadFactory("dkv-scan", true));

    public NettyRuntime(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("io threads (" + threads + ") must be at least 1");
        }
        this.epoll = Epoll.isAvailable() && !Boolean.getBoolean("dkv.nio");
        DefaultThreadFactory threadFactory = new DefaultThreadFactory("dkv-io", true);
        this.group = epoll ? new EpollEventLoopGroup(threads, threadFactory) : new NioEventLoopGroup(threads, threadFactory);
        this.accepting = new AcceptingGroup(group, affinity);
    }

    /** A runtime with one event loop per core. */
    public static NettyRuntime perCore() {
        return new NettyRuntime(cores());
    }

    public static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    public EventLoopGroup group() {
        return group;
    }

    /** Where listeners register the connections they accept: {@link AcceptingGroup}. */
    EventLoopGroup accepting() {
        return accepting;
    }

    /** Which loop opened each internode connection of this process. */
    LoopAffinity affinity() {
        return affinity;
    }

    /** The thread that runs long scans of storage, for every node of the process. */
    public EventLoop scans() {
        return scans;
    }

    public boolean isEpoll() {
        return epoll;
    }

    public Class<? extends ServerChannel> serverChannelType() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> channelType() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        scans.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
