package io.dkv.server.net;

import io.netty.channel.EventLoop;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which event loop opened each internode connection of this process, by the connection's
 * local address, so that when the peer it reaches lives in this same process (dkv local,
 * tests) the accepting side serves the connection on that same loop.
 *
 * <p>Why: a request coordinated on loop L goes out on L's connection; if the peer reads it on
 * another loop, the request wakes that loop and the reply wakes L again. With both ends on L,
 * a QUORUM write across three in-process nodes runs start to end on one thread. Nodes in
 * other processes never match, and a stale entry only picks a loop: the placement is a
 * hint, nothing depends on it for correctness.
 *
 * <p>Thread-safe.
 */
final class LoopAffinity {

    private final Map<SocketAddress, EventLoop> openedBy = new ConcurrentHashMap<>();

    /** A connection bound to {@code local} is about to connect from {@code loop}. */
    void opening(SocketAddress local, EventLoop loop) {
        openedBy.put(local, loop);
    }

    void closed(SocketAddress local) {
        openedBy.remove(local);
    }

    /** The loop that opened the connection coming from {@code remote}, or null when none here did. */
    EventLoop openerOf(SocketAddress remote) {
        return remote == null ? null : openedBy.get(remote);
    }
}
