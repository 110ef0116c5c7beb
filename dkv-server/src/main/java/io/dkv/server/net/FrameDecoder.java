package io.dkv.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;

import java.util.List;

/**
 * Reads the frames {@link FrameEncoder} writes. A frame longer than the limit, from another
 * protocol version, or otherwise malformed raises a decoder exception; the handler then
 * closes that one connection. After the first such exception the decoder discards
 * everything else the connection sends, so nothing behind a bad frame reaches the handler
 * and the error is raised once.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private final int maxFrameBytes;
    private boolean failed;

    FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            decodeFrames(in, out);
        } catch (RuntimeException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void decodeFrames(ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 4) {
            int length = in.getInt(in.readerIndex());
            if (length < FrameEncoder.HEADER_BYTES || length > maxFrameBytes) {
                throw new TooLongFrameException("frame length " + length + " outside "
                        + FrameEncoder.HEADER_BYTES + ".." + maxFrameBytes);
            }
            if (in.readableBytes() < 4 + length) {
                return;
            }
            in.skipBytes(4);
            out.add(decodeFrame(in.readSlice(length)));
        }
    }

    private static Object decodeFrame(ByteBuf body) {
        byte version = body.readByte();
        if (version != FrameEncoder.PROTOCOL_VERSION) {
            throw new CorruptedFrameException("protocol version " + version + ", this node speaks "
                    + FrameEncoder.PROTOCOL_VERSION);
        }
        byte kindCode = body.readByte();
        long correlationId = body.readLong();
        try {
            if (kindCode == FrameEncoder.HANDSHAKE) {
                Handshake handshake = new Handshake(WireFormat.readNode(body), WireFormat.readNode(body), body.readLong());
                if (handshake.from() == null || handshake.to() == null) {
                    throw new CorruptedFrameException("handshake without node ids");
                }
                if (body.isReadable()) {
                    throw new CorruptedFrameException(body.readableBytes() + " unexpected bytes after the handshake");
                }
                return handshake;
            }
            Frame.Kind kind = Frame.Kind.of(kindCode);
            if (kind == null) {
                throw new CorruptedFrameException("unknown frame kind " + kindCode);
            }
            return new Frame(kind, correlationId, MessageCodec.decode(body));
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new CorruptedFrameException("malformed frame: " + e.getMessage(), e);
        }
    }
}
