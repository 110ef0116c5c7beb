package io.dkv.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;

import java.util.List;
import java.util.Locale;

/**
 * Reads the frames {@link FrameEncoder} writes. A frame longer than the limit, from another
 * protocol version, or otherwise malformed raises a decoder exception; the handler then
 * closes that one connection. After the first such exception the decoder discards
 * everything else the connection sends, so nothing behind a bad frame reaches the handler
 * and the error is raised once.
 *
 * <p>Nothing is allocated from a declared length: a frame's length is checked against the
 * limit before any of its body is awaited, the body is decoded where it arrived, bounded to the frame,
 * and every length or count inside it is checked against the bytes left in the frame
 * before an array is made ({@link WireFormat}). On a peer's inbound connection the frames
 * that open it (the handshake, and with a cluster-secret the proof) must be small
 * ({@link #MAX_HANDSHAKE_BYTES}), so a connection that has not proved who it is cannot make
 * the node hold a frame of many megabytes.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    /** The most a frame that opens a connection may take: under a hundred bytes today, room to grow. */
    static final int MAX_HANDSHAKE_BYTES = 4096;

    private final int maxFrameBytes;
    private final int openingFrameLimit;
    private int openingFramesLeft;
    private boolean failed;

    FrameDecoder(int maxFrameBytes) {
        this(maxFrameBytes, 0);
    }

    private FrameDecoder(int maxFrameBytes, int openingFrames) {
        this.maxFrameBytes = maxFrameBytes;
        this.openingFrameLimit = Math.min(maxFrameBytes, MAX_HANDSHAKE_BYTES);
        this.openingFramesLeft = openingFrames;
    }

    /**
     * For connections peers open to this node: the first {@code openingFrames} frames (the
     * handshake, and the proof when a cluster-secret is set) must be small.
     */
    static FrameDecoder inbound(int maxFrameBytes, int openingFrames) {
        return new FrameDecoder(maxFrameBytes, openingFrames);
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
            int limit = openingFramesLeft > 0 ? openingFrameLimit : maxFrameBytes;
            if (length < FrameEncoder.HEADER_BYTES || length > limit) {
                throw new TooLongFrameException("frame length " + length + " outside "
                        + FrameEncoder.HEADER_BYTES + ".." + limit);
            }
            if (in.readableBytes() < 4 + length) {
                return;
            }
            in.skipBytes(4);
            if (openingFramesLeft > 0) {
                openingFramesLeft--;
            }
            // The writer index bounds the decode to the frame, as a slice would, without a
            // slice object per frame (four per replicated write); decoded messages copy what
            // they keep, so nothing refers to the buffer afterwards.
            int end = in.readerIndex() + length;
            int arrived = in.writerIndex();
            in.writerIndex(end);
            try {
                out.add(decodeFrame(in));
            } finally {
                in.writerIndex(arrived);
                in.readerIndex(end);
            }
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
                Handshake handshake = new Handshake(WireFormat.readNode(body), WireFormat.readNode(body), body.readLong(),
                        WireFormat.readBytes(body));
                if (handshake.from() == null || handshake.to() == null) {
                    throw new CorruptedFrameException("handshake without node ids");
                }
                return whole(handshake, body);
            }
            if (kindCode == FrameEncoder.CHALLENGE) {
                return whole(new Challenge(WireFormat.readBytes(body), WireFormat.readBytes(body)), body);
            }
            if (kindCode == FrameEncoder.PROOF) {
                return whole(new Proof(WireFormat.readBytes(body)), body);
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

    /** An opening frame, once nothing is left over after it. */
    private static Object whole(Object opening, ByteBuf body) {
        if (body.isReadable()) {
            throw new CorruptedFrameException(body.readableBytes() + " unexpected bytes after the "
                    + opening.getClass().getSimpleName().toLowerCase(Locale.ROOT));
        }
        return opening;
    }
}
