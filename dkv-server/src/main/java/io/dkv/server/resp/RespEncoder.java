package io.dkv.server.resp;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/** Writes {@link RespReply} values in RESP2 or RESP3. */
final class RespEncoder {

    private static final byte[] CRLF = {'\r', '\n'};

    private RespEncoder() {
    }

    static void write(RespReply reply, int protocol, ByteBuf out) {
        if (reply instanceof RespReply.Bulk bulk) {
            out.writeByte('$');
            writeNumber(bulk.bytes().length, out);
            out.writeBytes(bulk.bytes());
            out.writeBytes(CRLF);
        } else if (reply instanceof RespReply.Simple simple) {
            out.writeByte('+');
            writeLine(simple.text(), out);
        } else if (reply instanceof RespReply.Error error) {
            out.writeByte('-');
            writeLine(error.text(), out);
        } else if (reply instanceof RespReply.Int integer) {
            out.writeByte(':');
            writeNumber(integer.value(), out);
        } else if (reply instanceof RespReply.Null) {
            if (protocol >= 3) {
                out.writeByte('_');
                out.writeBytes(CRLF);
            } else {
                out.writeByte('$');
                writeNumber(-1, out);
            }
        } else if (reply instanceof RespReply.Array array) {
            out.writeByte('*');
            writeNumber(array.items().size(), out);
            for (RespReply item : array.items()) {
                write(item, protocol, out);
            }
        } else if (reply instanceof RespReply.MapReply map) {
            out.writeByte(protocol >= 3 ? '%' : '*');
            writeNumber(protocol >= 3 ? map.keysAndValues().size() / 2 : map.keysAndValues().size(), out);
            for (RespReply item : map.keysAndValues()) {
                write(item, protocol, out);
            }
        }
    }

    /** Bytes the reply will take, to size the buffer once. */
    static int estimateSize(RespReply reply) {
        if (reply instanceof RespReply.Bulk bulk) {
            return bulk.bytes().length + 16;
        }
        if (reply instanceof RespReply.Array array) {
            int size = 16;
            for (RespReply item : array.items()) {
                size += estimateSize(item);
            }
            return size;
        }
        if (reply instanceof RespReply.MapReply map) {
            int size = 16;
            for (RespReply item : map.keysAndValues()) {
                size += estimateSize(item);
            }
            return size;
        }
        if (reply instanceof RespReply.Error error) {
            return error.text().length() * 3 + 3;
        }
        if (reply instanceof RespReply.Simple simple) {
            return simple.text().length() * 3 + 3;
        }
        return 24;
    }

    private static void writeLine(String text, ByteBuf out) {
        // Status and error lines must not contain CR or LF; replace them rather than break framing.
        boolean clean = text.indexOf('\r') < 0 && text.indexOf('\n') < 0;
        out.writeCharSequence(clean ? text : text.replace('\r', ' ').replace('\n', ' '), StandardCharsets.UTF_8);
        out.writeBytes(CRLF);
    }

    private static void writeNumber(long value, ByteBuf out) {
        if (value >= 0 && value < 10) {
            out.writeByte('0' + (int) value);
        } else {
            out.writeCharSequence(Long.toString(value), StandardCharsets.US_ASCII);
        }
        out.writeBytes(CRLF);
    }
}
