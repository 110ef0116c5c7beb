package io.dkv.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes internode frames: {@code [length:int][version:byte][kind:byte][correlation id:long][body]},
 * the length counting everything after itself. Kinds 0, 4 and 5 open a connection
 * ({@link Handshake}, and with a cluster-secret {@link Challenge} and {@link Proof}; their
 * correlation id is 0); the others carry a {@link Frame}. {@link FrameDecoder} reads them back.
 */
final class FrameEncoder extends MessageToByteEncoder<Object> {

    /** 2: the handshake carries a nonce, and kinds 4 and 5 exist. 3: reads and writes carry the ring epoch.
     *  4: entries, digests and version lists carry the expiry register. 5: hashes are served: entries carry
     *  fields, version lists and digest replies a summary of them. */
    static final byte PROTOCOL_VERSION = 5;
    static final byte HANDSHAKE = 0;
    static final byte CHALLENGE = 4;
    static final byte PROOF = 5;
    static final int HEADER_BYTES = 1 + 1 + 8;

    @Override
    public boolean acceptOutboundMessage(Object message) {
        return message instanceof Frame || message instanceof Handshake || message instanceof Challenge
                || message instanceof Proof;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object message, ByteBuf out) {
        encodeTo(message, out);
    }

    /** Appends one frame, header included, to {@code out}; {@link FrameCoalescer} uses it too. */
    static void encodeTo(Object message, ByteBuf out) {
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        out.writeByte(PROTOCOL_VERSION);
        if (message instanceof Handshake handshake) {
            out.writeByte(HANDSHAKE);
            out.writeLong(0);
            WireFormat.writeNode(out, handshake.from());
            WireFormat.writeNode(out, handshake.to());
            out.writeLong(handshake.clusterFingerprint());
            WireFormat.writeBytes(out, handshake.nonce());
        } else if (message instanceof Challenge challenge) {
            out.writeByte(CHALLENGE);
            out.writeLong(0);
            WireFormat.writeBytes(out, challenge.nonce());
            WireFormat.writeBytes(out, challenge.proof());
        } else if (message instanceof Proof proof) {
            out.writeByte(PROOF);
            out.writeLong(0);
            WireFormat.writeBytes(out, proof.proof());
        } else {
            Frame frame = (Frame) message;
            out.writeByte(frame.kind().code);
            out.writeLong(frame.correlationId());
            MessageCodec.encode(frame.message(), out);
        }
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex - 4);
    }

    /** About how many bytes {@code message} takes as a frame, header included. */
    static int sizeHint(Object message) {
        return 4 + HEADER_BYTES + (message instanceof Frame frame ? MessageCodec.sizeHint(frame.message()) : 96);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Object message, boolean preferDirect) {
        int size = sizeHint(message);
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }
}
