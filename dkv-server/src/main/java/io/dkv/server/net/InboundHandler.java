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
 * Serves one connection a peer opened to this node: checks the handshake (and with a
 * cluster-secret, the peer's proof: {@link PeerSecret}), then hands each request to the node
 * and writes its reply back with the request's correlation id. Any protocol violation or
 * failed proof closes this one connection with a log line; the node carries on.
 */
final class InboundHandler extends SimpleChannelInboundHandler<Object> {

    private static final Logger log = LoggerFactory.getLogger(InboundHandler.class);
    /** A connection that has not completed its handshake by then is closed. */
    static final long HANDSHAKE_TIMEOUT_SECONDS = 5;

    private final NettyTransport transport;
    private final MessageHandler handler;
    /** The handshake received, while its proof is awaited. */
    private Handshake unproven;
    private byte[] challengeNonce;
    /** The peer, once it is let in. */
    private NodeId peer;
    /** Set once the connection is refused: frames already read behind the refusal are dropped. */
    private boolean refused;

    InboundHandler(NettyTransport transport, MessageHandler handler) {
        this.transport = transport;
        this.handler = handler;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.executor().schedule(() -> {
            if (peer == null && ctx.channel().isActive()) {
                log.warn("{}: closing internode connection from {}: no {} within {} s", transport.self(),
                        ctx.channel().remoteAddress(), unproven == null ? "handshake" : "proof of the cluster-secret",
                        HANDSHAKE_TIMEOUT_SECONDS);
                ctx.close();
            }
        }, HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object message) {
        if (refused) {
            return;
        }
        if (peer == null) {
            if (unproven == null) {
                accept(ctx, message);
            } else {
                checkProof(ctx, message);
            }
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
            refuse(ctx, handshake, refusal);
            return;
        }
        PeerSecret secret = transport.secret();
        if (secret == null) {
            if (handshake.nonce().length > 0) {
                refuse(ctx, handshake, "it proves a cluster-secret, and this node has none (set the same"
                        + " cluster-secret on every node)");
                return;
            }
            letIn(handshake.from());
            return;
        }
        if (handshake.nonce().length != PeerSecret.NONCE_BYTES) {
            refuse(ctx, handshake, "this node requires the cluster-secret, and the peer has none set");
            return;
        }
        unproven = handshake;
        challengeNonce = secret.newNonce();
        ctx.writeAndFlush(new Challenge(challengeNonce, secret.acceptorProof(handshake, challengeNonce)),
                ctx.voidPromise());
    }

    private void checkProof(ChannelHandlerContext ctx, Object message) {
        byte[] expected = transport.secret().connectorProof(unproven, challengeNonce);
        if (!(message instanceof Proof proof) || !PeerSecret.matches(expected, proof.proof())) {
            refuse(ctx, unproven, "it did not prove it knows the cluster-secret (a different secret?)");
            return;
        }
        letIn(unproven.from());
        unproven = null;
        challengeNonce = null;
    }

    private void letIn(NodeId from) {
        peer = from;
        transport.peerConnected(peer);
    }

    private void refuse(ChannelHandlerContext ctx, Handshake handshake, String why) {
        refused = true;
        log.warn("{}: refusing internode connection from {} (claims to be {}): {}", transport.self(),
                ctx.channel().remoteAddress(), handshake.from(), why);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("{}: closing internode connection from {} ({}): {}", transport.self(),
                ctx.channel().remoteAddress(), peer == null ? "before handshake" : peer, cause.toString());
        ctx.close();
    }
}
