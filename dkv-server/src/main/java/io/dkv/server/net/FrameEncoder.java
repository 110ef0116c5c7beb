package io.dkv.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes internode frames: {@code [length:int][version:byte][kind:byte][correlation id:long][body]},
 * the length counting everything after itself. Kind 0 is the handshake; the others carry a
 * {@link Frame}. {@link FrameDecoder} reads them back.
 */
final class FrameEncoder extends MessageToByteEncoder<Object> {

    static final byte PROTOCOL_VERSION = 1;
    static final byte HANDSHAKE = 0;
    static final int HEADER_BYTES = 1 + 1 + 8;

    @Override
    public boolean acceptOutboundMessage(Object message) {
        return message instanceof Frame || message instanceof Handshake;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object message, ByteBuf out) {
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        out.writeByte(PROTOCOL_VERSION);
        if (message instanceof Handshake handshake) {
            out.writeByte(HANDSHAKE);
            out.writeLong(0);
            WireFormat.writeNode(out, handshake.from());
            WireFormat.writeNode(out, handshake.to());
            out.writeLong(handshake.clusterFingerprint());
        } else {
            Frame frame = (Frame) message;
            out.writeByte(frame.kind().code);
            out.writeLong(frame.correlationId());
            MessageCodec.encode(frame.message(), out);
        }
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex - 4);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Object message, boolean preferDirect) {
        int size = 4 + HEADER_BYTES + (message instanceof Frame frame ? MessageCodec.sizeHint(frame.message()) : 32);
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }
}
