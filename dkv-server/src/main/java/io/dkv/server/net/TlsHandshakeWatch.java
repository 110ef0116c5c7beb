package io.dkv.server.net;

import io.dkv.core.NodeId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.util.function.Consumer;

/**
 * Sits right behind an {@code SslHandler} until its handshake ends. A failed handshake (a
 * plain-text client on a TLS port, a certificate from another authority, none at all) closes
 * that one connection with one log line saying why, instead of an exception travelling down
 * the pipeline: debug for clients, warn for peers, whose refusal is a configuration problem.
 * Once the handshake succeeds the watch leaves the pipeline.
 *
 * <p>Confined to its channel's event loop, as handlers are.
 */
final class TlsHandshakeWatch extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TlsHandshakeWatch.class);

    private final NodeId node;
    private final String who;
    private final boolean peer;
    private final Consumer<String> failed;
    private boolean reported;

    /**
     * @param who    the other side, for the log line ("client", "n3 at host:port")
     * @param peer   whether the other side is a peer (a failure is then a warning)
     * @param failed hears the reason of a failed handshake; {@code null} when only the log should
     */
    TlsHandshakeWatch(NodeId node, String who, boolean peer, Consumer<String> failed) {
        this.node = node;
        this.who = who;
        this.peer = peer;
        this.failed = failed;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent completion) {
            if (completion.isSuccess()) {
                ctx.pipeline().remove(this);
            } else {
                refuse(ctx, completion.cause());
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
            if (peer) {
                log.warn("{}: TLS handshake with {} {} failed, connection closed: {} (peers need certificates from"
                        + " the authority in tls-ca-cert-file)", node, who, ctx.channel().remoteAddress(), reason);
            } else {
                log.debug("{}: TLS handshake with {} {} failed, connection closed: {}", node, who,
                        ctx.channel().remoteAddress(), reason);
            }
            if (failed != null) {
                failed.accept("TLS handshake failed: " + reason);
            }
        }
        ctx.close();
    }

    /** Says why in a line: the innermost TLS error's message, or what a non-TLS record means. */
    static String reason(Throwable cause) {
        Throwable tls = tlsFailure(cause);
        if (tls instanceof NotSslRecordException) {
            return "it does not speak TLS (a plain-text client on a TLS port?)";
        }
        Throwable shown = tls != null ? tls : cause;
        while (shown.getCause() != null && shown.getCause() instanceof SSLException) {
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
