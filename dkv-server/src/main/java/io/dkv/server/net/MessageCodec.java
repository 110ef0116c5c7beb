package io.dkv.server.net;

import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadReply;
import io.dkv.core.message.ReadRequest;
import io.dkv.core.message.WriteReply;
import io.dkv.core.message.WriteRequest;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;

/**
 * The binary form of every internode {@link Message}: a type byte, then the fields in a
 * fixed order. Adding a message means adding a type number here, never reusing one.
 */
final class MessageCodec {

    private static final byte WRITE_REQUEST = 1;
    private static final byte WRITE_REPLY = 2;
    private static final byte READ_REQUEST = 3;
    private static final byte READ_REPLY = 4;
    private static final byte ERROR_REPLY = 5;

    private MessageCodec() {
    }

    static void encode(Message message, ByteBuf out) {
        if (message instanceof WriteRequest write) {
            out.writeByte(WRITE_REQUEST);
            out.writeInt(write.partition());
            WireFormat.writeBytes(out, write.key());
            WireFormat.writeEntry(out, write.entry());
            WireFormat.writeNode(out, write.hintFor());
        } else if (message instanceof WriteReply reply) {
            out.writeByte(WRITE_REPLY);
            out.writeBoolean(reply.hadValue());
        } else if (message instanceof ReadRequest read) {
            out.writeByte(READ_REQUEST);
            out.writeInt(read.partition());
            WireFormat.writeBytes(out, read.key());
            WireFormat.writeNode(out, read.standInFor());
        } else if (message instanceof ReadReply reply) {
            out.writeByte(READ_REPLY);
            WireFormat.writeOptionalEntry(out, reply.entry());
        } else if (message instanceof ErrorReply error) {
            out.writeByte(ERROR_REPLY);
            WireFormat.writeString(out, error.message());
        } else {
            throw new IllegalArgumentException("no wire format for " + message.getClass().getName());
        }
    }

    static Message decode(ByteBuf in) {
        byte type = in.readByte();
        Message message = switch (type) {
            case WRITE_REQUEST -> new WriteRequest(readPartition(in), WireFormat.readBytes(in),
                    WireFormat.readEntry(in), WireFormat.readNode(in));
            case WRITE_REPLY -> WriteReply.of(in.readBoolean());
            case READ_REQUEST -> new ReadRequest(readPartition(in), WireFormat.readBytes(in), WireFormat.readNode(in));
            case READ_REPLY -> {
                var entry = WireFormat.readOptionalEntry(in);
                yield entry == null ? ReadReply.MISSING : new ReadReply(entry);
            }
            case ERROR_REPLY -> new ErrorReply(WireFormat.readString(in));
            default -> throw new CorruptedFrameException("unknown message type " + type);
        };
        if (in.isReadable()) {
            throw new CorruptedFrameException(in.readableBytes() + " unexpected bytes after message type " + type);
        }
        return message;
    }

    /** An upper bound on the encoded size, so the encoder allocates once. */
    static int sizeHint(Message message) {
        if (message instanceof WriteRequest write) {
            return 14 + write.key().length + WireFormat.entrySize(write.entry());
        }
        if (message instanceof ReadRequest read) {
            return 14 + read.key().length;
        }
        if (message instanceof ReadReply reply) {
            return 2 + (reply.entry() == null ? 0 : WireFormat.entrySize(reply.entry()));
        }
        return 64;
    }

    private static int readPartition(ByteBuf in) {
        int partition = in.readInt();
        if (partition < 0) {
            throw new CorruptedFrameException("negative partition " + partition);
        }
        return partition;
    }
}
