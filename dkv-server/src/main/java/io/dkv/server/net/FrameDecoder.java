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
 *
 * <p>Nothing is allocated from a declared length: a frame's length is checked against the
 * limit before any of its body is awaited, the body is a slice of the bytes that arrived,
 * and every length or count inside it is checked against the bytes left in the frame
 * before an array is made ({@link WireFormat}). On a peer's inbound connection the first
 * frame, the handshake, must be small ({@link #MAX_HANDSHAKE_BYTES}), so a connection that
 * has not said who it is cannot make the node hold a frame of many megabytes.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    /** The most a handshake frame may take: a few dozen bytes today, room for credentials. */
    static final int MAX_HANDSHAKE_BYTES = 4096;

    private final int maxFrameBytes;
    private int firstFrameLimit;
    private boolean failed;

    FrameDecoder(int maxFrameBytes) {
        this(maxFrameBytes, maxFrameBytes);
    }

    private FrameDecoder(int maxFrameBytes, int firstFrameLimit) {
        this.maxFrameBytes = maxFrameBytes;
        this.firstFrameLimit = firstFrameLimit;
    }

    /** For connections peers open to this node: the first frame is a handshake and must be small. */
    static FrameDecoder inbound(int maxFrameBytes) {
        return new FrameDecoder(maxFrameBytes, Math.min(maxFrameBytes, MAX_HANDSHAKE_BYTES));
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
            if (length < FrameEncoder.HEADER_BYTES || length > firstFrameLimit) {
                throw new TooLongFrameException("frame length " + length + " outside "
                        + FrameEncoder.HEADER_BYTES + ".." + firstFrameLimit);
            }
            if (in.readableBytes() < 4 + length) {
                return;
            }
            in.skipBytes(4);
            firstFrameLimit = maxFrameBytes;
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
