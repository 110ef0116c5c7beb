package io.dkv.server.net;

import io.dkv.core.NodeId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sits right behind an {@code SslHandler} until its handshake ends. A failed handshake (a
 * plain-text client on a TLS port, a certificate from another authority, none at all) closes
 * that one connection with one log line saying why, instead of an exception travelling down
 * the pipeline: debug for clients; for peers, whose refusal is a configuration problem, a
 * warning at most once a minute per peer address (debug in between).
 *
 * <p>Once the handshake succeeds the watch leaves the pipeline, except on connections this node
 * opens to a peer: under TLS 1.3 the client's handshake completes before the server has checked
 * the client's certificate, so a refusal of this node's certificate arrives afterwards, as an
 * alert, and must still be told apart from a failure of the peer.
 *
 * <p>Confined to its channel's event loop, as handlers are; the warning times are shared by a
 * node's connections (a concurrent map).
 */
final class TlsHandshakeWatch extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TlsHandshakeWatch.class);
    private static final long WARN_EVERY_NANOS = 60_000_000_000L;

    private final NodeId node;
    private final String peer;
    private final Consumer<String> failed;
    private final Map<String, Long> lastWarned;
    private boolean reported;

    /**
     * @param peer       the peer this node connects to ("n3 at host:port"); {@code null} for a
     *                   connection accepted from a client ({@code lastWarned == null}) or a peer
     * @param failed     hears the reason of a failed handshake; {@code null} when only the log should
     * @param lastWarned when each peer was last warned about, shared by the node; {@code null} for
     *                   client connections, whose failures are logged at debug only
     */
    TlsHandshakeWatch(NodeId node, String peer, Consumer<String> failed, Map<String, Long> lastWarned) {
        this.node = node;
        this.peer = peer;
        this.failed = failed;
        this.lastWarned = lastWarned;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent completion) {
            if (!completion.isSuccess()) {
                refuse(ctx, completion.cause());
            } else if (peer == null) {
                ctx.pipeline().remove(this);
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (tlsFailure(cause) != null) {
            refuse(ctx, cause);
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    private void refuse(ChannelHandlerContext ctx, Throwable cause) {
        if (!reported) {
            reported = true;
            String reason = reason(cause);
            SocketAddress remote = ctx.channel().remoteAddress();
            if (lastWarned == null) {
                log.debug("{}: TLS handshake with client {} failed, connection closed: {}", node, remote, reason);
            } else {
                String who = peer != null ? peer : "peer " + remote;
                String key = peer != null ? peer
                        : remote instanceof InetSocketAddress address ? address.getHostString() : String.valueOf(remote);
                if (shouldWarn(key)) {
                    log.warn("{}: TLS handshake with {} failed, connection closed: {} (peers need certificates from"
                            + " the authority in tls-ca-cert-file; repeats of this are logged at debug for a minute)",
                            node, who, reason);
                } else {
                    log.debug("{}: TLS handshake with {} failed, connection closed: {}", node, who, reason);
                }
            }
            if (failed != null) {
                failed.accept("TLS handshake failed: " + reason);
            }
        }
        ctx.close();
    }

    private boolean shouldWarn(String key) {
        long now = System.nanoTime();
        Long last = lastWarned.get(key);
        if (last != null && now - last < WARN_EVERY_NANOS) {
            return false;
        }
        lastWarned.put(key, now);
        return true;
    }

    /** Says why in a line: the innermost cause's message, or what a non-TLS record means. */
    static String reason(Throwable cause) {
        Throwable tls = tlsFailure(cause);
        if (tls instanceof NotSslRecordException) {
            return "it does not speak TLS (plain text on a TLS port?)";
        }
        Throwable shown = tls != null ? tls : cause;
        while (shown.getCause() != null) {
            shown = shown.getCause();
        }
        return shown.getMessage() != null ? shown.getMessage() : shown.toString();
    }

    private static Throwable tlsFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return t;
            }
        }
        return null;
    }
}
