package io.dkv.server.resp;

import io.dkv.server.config.ClientLimits;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What all clients of one node may hold together: how many connections ({@code maxclients})
 * and how many bytes ({@code maxmemory-clients}). Each connection reports the bytes it holds
 * through its {@link Usage}; when the total passes the limit, the client holding the most is
 * disconnected, as Redis 7 does for {@code maxmemory-clients}.
 *
 * <p>Thread-safe: connections on every event loop report here.
 */
final class ClientBudget {

    private static final Logger log = LoggerFactory.getLogger(ClientBudget.class);

    private final ClientLimits limits;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong totalBytes = new AtomicLong();
    private final Set<Usage> usages = ConcurrentHashMap.newKeySet();

    ClientBudget(ClientLimits limits) {
        this.limits = limits;
    }

    /** Defaults, and no node-wide byte limit: for tests of other things. */
    static ClientBudget unlimited() {
        return new ClientBudget(ClientLimits.defaults(0));
    }

    ClientLimits limits() {
        return limits;
    }

    /** Takes a connection slot, or returns false when {@code maxclients} are connected. */
    boolean tryAdmit() {
        while (true) {
            int current = connections.get();
            if (current >= limits.maxClients()) {
                return false;
            }
            if (connections.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Gives back a slot {@link #tryAdmit()} took. */
    void release() {
        connections.decrementAndGet();
    }

    /** Bytes all clients hold, as last reported. */
    long totalBytes() {
        return totalBytes.get();
    }

    Usage register(Channel channel, ClientSession session) {
        Usage usage = new Usage(channel, session);
        usages.add(usage);
        return usage;
    }

    private void overLimit() {
        long limit = limits.maxMemoryClients();
        if (limit == 0) {
            return;
        }
        synchronized (this) {
            // Reported output may be stale (the client read some since): look again before evicting.
            for (Usage usage : usages) {
                usage.refreshOutput();
            }
            if (totalBytes.get() <= limit) {
                return;
            }
            Usage largest = null;
            for (Usage usage : usages) {
                if (largest == null || usage.bytes() > largest.bytes()) {
                    largest = usage;
                }
            }
            if (largest != null) {
                log.warn("closing client id={} addr={}: it holds {} bytes and all clients {}, over maxmemory-clients ({})",
                        largest.session.id(), largest.session.remoteAddress(), largest.bytes(), totalBytes.get(), limit);
                largest.close();
                largest.channel.close();
            }
        }
    }

    /**
     * The bytes one connection holds: {@code input} (being decoded or read and not yet
     * answered, reported by its event loop) and {@code output} (replies not yet sent).
     */
    final class Usage {
        private final Channel channel;
        private final ClientSession session;
        private long input;
        private long output;
        private boolean closed;

        private Usage(Channel channel, ClientSession session) {
            this.channel = channel;
            this.session = session;
        }

        /** Records what the connection holds now; may disconnect the largest client. */
        void update(long inputBytes, long outputBytes) {
            long delta;
            synchronized (this) {
                if (closed) {
                    return;
                }
                delta = inputBytes + outputBytes - input - output;
                input = inputBytes;
                output = outputBytes;
            }
            if (totalBytes.addAndGet(delta) > limits.maxMemoryClients() && delta > 0) {
                overLimit();
            }
        }

        synchronized long bytes() {
            return input + output;
        }

        private void refreshOutput() {
            ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
            long now = buffer == null ? 0 : buffer.totalPendingWriteBytes();
            long delta;
            synchronized (this) {
                if (closed || now >= output) {
                    return;
                }
                delta = now - output;
                output = now;
            }
            totalBytes.addAndGet(delta);
        }

        /** The connection is gone (or going): its bytes no longer count. */
        void close() {
            long held;
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                held = input + output;
            }
            totalBytes.addAndGet(-held);
            usages.remove(this);
        }
    }
}
