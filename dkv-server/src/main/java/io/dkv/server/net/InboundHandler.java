package io.dkv.server.net;

import io.dkv.cluster.runtime.MessageHandler;
import io.dkv.core.NodeId;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Serves one connection a peer opened to this node: checks the handshake, then hands each
 * request to the node and writes its reply back with the request's correlation id. Any
 * protocol violation closes this one connection with a log line; the node carries on.
 */
final class InboundHandler extends SimpleChannelInboundHandler<Object> {

    private static final Logger log = LoggerFactory.getLogger(InboundHandler.class);
    /** A connection that has not completed its handshake by then is closed. */
    static final long HANDSHAKE_TIMEOUT_SECONDS = 5;

    private final NettyTransport transport;
    private final MessageHandler handler;
    private NodeId peer;

    InboundHandler(NettyTransport transport, MessageHandler handler) {
        this.transport = transport;
        this.handler = handler;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.executor().schedule(() -> {
            if (peer == null && ctx.channel().isActive()) {
                log.warn("{}: closing internode connection from {}: no handshake within {} s", transport.self(),
                        ctx.channel().remoteAddress(), HANDSHAKE_TIMEOUT_SECONDS);
                ctx.close();
            }
        }, HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object message) {
        if (peer == null) {
            accept(ctx, message);
            return;
        }
        if (!(message instanceof Frame frame)) {
            throw new CorruptedFrameException("second handshake from " + peer);
        }
        switch (frame.kind()) {
            case REQUEST -> {
                Channel channel = ctx.channel();
                long id = frame.correlationId();
                handler.onRequest(peer, frame.message(),
                        reply -> channel.writeAndFlush(new Frame(Frame.Kind.RESPONSE, id, reply), channel.voidPromise()));
            }
            case ONE_WAY -> handler.onMessage(peer, frame.message());
            case RESPONSE -> throw new CorruptedFrameException("response on an inbound connection from " + peer);
        }
    }

    private void accept(ChannelHandlerContext ctx, Object message) {
        if (!(message instanceof Handshake handshake)) {
            throw new CorruptedFrameException("first frame is not a handshake");
        }
        String refusal = transport.refusal(handshake);
        if (refusal != null) {
            log.warn("{}: refusing internode connection from {} ({}): {}", transport.self(),
                    ctx.channel().remoteAddress(), handshake.from(), refusal);
            ctx.close();
            return;
        }
        peer = handshake.from();
        transport.peerConnected(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("{}: closing internode connection from {} ({}): {}", transport.self(),
                ctx.channel().remoteAddress(), peer == null ? "before handshake" : peer, cause.toString());
        ctx.close();
    }
}
