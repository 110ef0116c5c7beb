package io.dkv.cli.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ByteProcessor;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Splits the byte stream from a Redis-protocol server (RESP2 and RESP3) into one {@link Reply}
 * per top-level reply. Bulk payloads are skipped as they arrive, so a 1 MiB value is never
 * held in memory; nested arrays, maps and sets are counted, not built. Not sharable: one
 * per channel.
 */
final class ReplyDecoder extends ByteToMessageDecoder {

    /** Longest status, error or length line accepted before the stream is called malformed. */
    private static final int MAX_LINE = 64 * 1024;

    /** Bytes of the current bulk payload (and its CRLF) still to skip; 0 when not inside one. */
    private long bulkLeft;
    /** Elements still expected by each enclosing aggregate, innermost last. */
    private long[] aggregates = new long[8];
    private int depth;
    private String error;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            if (bulkLeft > 0) {
                int skip = (int) Math.min(bulkLeft, in.readableBytes());
                in.skipBytes(skip);
                bulkLeft -= skip;
                if (bulkLeft > 0) {
                    return;
                }
                elementDone(out);
                continue;
            }
            int lineFeed = in.forEachByte(ByteProcessor.FIND_LF);
            if (lineFeed < 0) {
                if (in.readableBytes() > MAX_LINE) {
                    throw new DecoderException("reply line longer than " + MAX_LINE + " bytes");
                }
                return;
            }
            byte type = in.readByte();
            int lineLength = lineFeed - in.readerIndex() - 1;
            if (lineLength < 0 || in.getByte(lineFeed - 1) != '\r') {
                throw new DecoderException("malformed reply: line without CRLF");
            }
            ByteBuf line = in.slice(in.readerIndex(), lineLength);
            in.readerIndex(lineFeed + 1);
            readLine(type, line, out);
        }
    }

    private void readLine(byte type, ByteBuf line, List<Object> out) {
        switch (type) {
            case '+', ':', ',', '#', '_', '(' -> elementDone(out);
            case '-' -> {
                if (depth == 0) {
                    error = line.toString(StandardCharsets.UTF_8);
                }
                elementDone(out);
            }
            case '$', '=', '!' -> {
                long length = parseLength(line);
                if (type == '!' && depth == 0) {
                    error = "(blob error)";
                }
                if (length < 0) {
                    elementDone(out);
                } else {
                    bulkLeft = length + 2;
                }
            }
            case '*', '~' -> startAggregate(parseLength(line), out);
            case '%' -> startAggregate(2 * parseLength(line), out);
            default -> throw new DecoderException("unexpected reply type '" + (char) type + "'");
        }
    }

    private void startAggregate(long elements, List<Object> out) {
        if (elements <= 0) {
            elementDone(out);
            return;
        }
        if (depth == aggregates.length) {
            aggregates = Arrays.copyOf(aggregates, depth * 2);
        }
        aggregates[depth++] = elements;
    }

    /** One element finished: it may finish its enclosing aggregates, and the top-level reply. */
    private void elementDone(List<Object> out) {
        while (depth > 0) {
            if (--aggregates[depth - 1] > 0) {
                return;
            }
            depth--;
        }
        out.add(error == null ? Reply.OK : new Reply(error));
        error = null;
    }

    private static long parseLength(ByteBuf line) {
        if (line.readableBytes() == 0 || line.readableBytes() > 19) {
            throw new DecoderException("malformed length '" + line.toString(StandardCharsets.US_ASCII) + "'");
        }
        boolean negative = line.getByte(line.readerIndex()) == '-';
        long value = 0;
        for (int i = line.readerIndex() + (negative ? 1 : 0); i < line.writerIndex(); i++) {
            byte digit = line.getByte(i);
            if (digit < '0' || digit > '9') {
                throw new DecoderException("malformed length '" + line.toString(StandardCharsets.US_ASCII) + "'");
            }
            value = value * 10 + (digit - '0');
        }
        return negative ? -value : value;
    }
}
