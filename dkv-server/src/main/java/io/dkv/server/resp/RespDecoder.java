package io.dkv.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Decodes client commands: RESP arrays of bulk strings ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n})
 * and inline commands ({@code PING\r\n}), as Redis accepts them.
 *
 * <p>Memory follows the bytes that arrived, never a length the client announced: an array
 * header of a million elements allocates a few slots, and a bulk header of 16 MiB allocates
 * what has arrived of it, both growing geometrically (doubling) as more comes, up to the
 * announced size. A hostile client that announces big and sends nothing costs a few hundred
 * bytes. When a whole value arrives in one read it is copied once into an array of its size.
 * An argument over {@code maxArgumentBytes} (or a command over {@code maxCommandBytes}) is
 * skipped without being kept, and the command is passed on with a rejection, so the client
 * gets an error and the connection goes on. Only malformed input raises
 * {@link RespProtocolException}, which ends the connection.
 *
 * <p>Confined to the channel's event loop, except {@link #retainedBytes()}.
 */
final class RespDecoder extends ByteToMessageDecoder {

    /** Longest inline command or header line, as in Redis. */
    static final int MAX_LINE_BYTES = 64 * 1024;
    /** Most arguments in one command, as in Redis. */
    static final int MAX_ARGUMENTS = 1024 * 1024;
    /** Bulk lengths above this are not a big value but a broken client (Redis' proto-max-bulk-len). */
    static final long MAX_BULK_LENGTH = 512L * 1024 * 1024;

    /** Slots allocated for a new command's arguments before any of them arrives. */
    static final int INITIAL_ARGUMENT_SLOTS = 8;
    /** Bytes allocated for a bulk argument before more than this of it has arrived. */
    static final int INITIAL_BULK_BYTES = 4096;

    private enum State { START, BULK_HEADER, BULK_DATA, BULK_END, SKIP, FAILED }

    private static final byte[] EMPTY = new byte[0];
    /** Compiled once: String.split with this pattern compiles it on every inline line. */
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final int maxArgumentBytes;
    private final String limitName;
    private final long maxCommandBytes;
    private State state = State.START;
    private byte[][] args;
    private int argCount;
    private int argIndex;
    private long keptBytes;
    private volatile long retained;
    private byte[] bulk;
    private int bulkLength;
    private int bulkFilled;
    private long skipRemaining;
    private long commandBytes;
    private String rejection;

    /**
     * @param maxArgumentBytes the largest argument kept
     * @param limitName        the setting that limit comes from, named in the error
     * @param maxCommandBytes  the largest command kept, all arguments together
     */
    RespDecoder(int maxArgumentBytes, String limitName, long maxCommandBytes) {
        this.maxArgumentBytes = maxArgumentBytes;
        this.limitName = limitName;
        this.maxCommandBytes = maxCommandBytes;
    }

    /**
     * Bytes this decoder holds for the command it is reading: arguments so far, the part of
     * the current argument that arrived, and bytes not yet parsed. Safe from any thread (it
     * is the value at the end of the last read).
     */
    long retainedBytes() {
        return retained;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            decodeCommands(in, out);
        } finally {
            publishRetained(in);
        }
    }

    private void publishRetained(ByteBuf in) {
        retained = keptBytes + (bulk == null ? 0 : bulk.length) + 16L * (args == null ? 0 : args.length)
                + in.readableBytes();
    }

    private void decodeCommands(ByteBuf in, List<Object> out) {
        while (true) {
            switch (state) {
                case START -> {
                    if (!in.isReadable()) {
                        return;
                    }
                    if (in.getByte(in.readerIndex()) == '*') {
                        long count = readNumberLine(in, "invalid multibulk length");
                        if (count == INCOMPLETE) {
                            return;
                        }
                        startArray(count);
                    } else {
                        String line = readLine(in);
                        if (line == null) {
                            return;
                        }
                        RespCommand inline = inlineCommand(line);
                        if (inline != null) {
                            out.add(inline);
                        }
                    }
                }
                case BULK_HEADER -> {
                    if (!in.isReadable()) {
                        return;
                    }
                    byte marker = in.getByte(in.readerIndex());
                    if (marker != '$') {
                        fail("expected '$', got '" + (char) marker + "'");
                    }
                    long length = readNumberLine(in, "invalid bulk length");
                    if (length == INCOMPLETE) {
                        return;
                    }
                    startBulk(length);
                }
                case BULK_DATA -> {
                    int take = (int) Math.min(in.readableBytes(), bulkLength - bulkFilled);
                    ensureBulkCapacity(bulkFilled + take);
                    in.readBytes(bulk, bulkFilled, take);
                    bulkFilled += take;
                    if (bulkFilled < bulkLength) {
                        publishRetained(in);
                        return;
                    }
                    state = State.BULK_END;
                }
                case BULK_END -> {
                    if (in.readableBytes() < 2) {
                        return;
                    }
                    if (in.readByte() != '\r' || in.readByte() != '\n') {
                        fail("expected CRLF after bulk data");
                    }
                    finishArgument(bulk.length == bulkLength ? bulk : Arrays.copyOf(bulk, bulkLength), out);
                }
                case SKIP -> {
                    int take = (int) Math.min(in.readableBytes(), skipRemaining);
                    in.skipBytes(take);
                    skipRemaining -= take;
                    if (skipRemaining > 0) {
                        return;
                    }
                    finishArgument(EMPTY, out);
                }
                case FAILED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    private void startArray(long count) {
        if (count > MAX_ARGUMENTS) {
            fail("invalid multibulk length");
        }
        if (count <= 0) {
            return;
        }
        argCount = (int) count;
        args = new byte[Math.min(argCount, INITIAL_ARGUMENT_SLOTS)][];
        argIndex = 0;
        keptBytes = 0;
        commandBytes = 0;
        rejection = null;
        state = State.BULK_HEADER;
    }

    private void startBulk(long length) {
        if (length < 0 || length > MAX_BULK_LENGTH) {
            fail("invalid bulk length");
        }
        commandBytes += length;
        if (length > maxArgumentBytes || commandBytes > maxCommandBytes) {
            if (rejection == null) {
                rejection = length > maxArgumentBytes
                        ? "argument " + (argIndex + 1) + " is " + length + " bytes, more than the limit of " + maxArgumentBytes
                                + " (" + limitName + ")"
                        : "command is more than " + maxCommandBytes + " bytes";
            }
            skipRemaining = length + 2;
            state = State.SKIP;
            return;
        }
        bulkLength = (int) length;
        bulk = EMPTY;
        bulkFilled = 0;
        state = length == 0 ? State.BULK_END : State.BULK_DATA;
    }

    /** Grows the bulk buffer to hold {@code needed} bytes: at least doubling, at most the announced length. */
    private void ensureBulkCapacity(int needed) {
        if (needed <= bulk.length) {
            return;
        }
        int capacity = bulk.length == 0 && needed < bulkLength ? Math.min(bulkLength, Math.max(needed, INITIAL_BULK_BYTES))
                : (int) Math.min(bulkLength, Math.max(needed, 2L * bulk.length));
        bulk = Arrays.copyOf(bulk, capacity);
    }

    private void finishArgument(byte[] value, List<Object> out) {
        if (argIndex == args.length) {
            args = Arrays.copyOf(args, (int) Math.min(argCount, 2L * args.length));
        }
        args[argIndex++] = value;
        keptBytes += value.length;
        bulk = null;
        if (argIndex < argCount) {
            state = State.BULK_HEADER;
            return;
        }
        out.add(new RespCommand(args, rejection));
        args = null;
        keptBytes = 0;
        rejection = null;
        state = State.START;
    }

    private RespCommand inlineCommand(String line) {
        List<byte[]> words = new ArrayList<>();
        for (String word : WHITESPACE.split(line.trim())) {
            if (!word.isEmpty()) {
                words.add(word.getBytes(StandardCharsets.UTF_8));
            }
        }
        return words.isEmpty() ? null : new RespCommand(words.toArray(byte[][]::new), null);
    }

    /** Reads a line ending in CRLF (or a bare LF, for inline commands), or returns null if it is not all here. */
    private String readLine(ByteBuf in) {
        int end = in.forEachByte(in.readerIndex(), Math.min(in.readableBytes(), MAX_LINE_BYTES + 2), ByteProcessor.FIND_LF);
        if (end < 0) {
            if (in.readableBytes() > MAX_LINE_BYTES) {
                fail("too big inline request");
            }
            return null;
        }
        int length = end - in.readerIndex();
        int contentLength = length > 0 && in.getByte(end - 1) == '\r' ? length - 1 : length;
        String line = in.toString(in.readerIndex(), contentLength, StandardCharsets.UTF_8);
        in.readerIndex(end + 1);
        return line;
    }

    private static final long INCOMPLETE = Long.MIN_VALUE;

    /**
     * Reads a header line such as {@code *3} or {@code $5} and returns its number, parsed
     * straight from the buffer (no String on this hot path), or {@link #INCOMPLETE} when the
     * line has not fully arrived.
     */
    private long readNumberLine(ByteBuf in, String error) {
        int start = in.readerIndex();
        int end = in.forEachByte(start, Math.min(in.readableBytes(), MAX_LINE_BYTES + 2), ByteProcessor.FIND_LF);
        if (end < 0) {
            if (in.readableBytes() > MAX_LINE_BYTES) {
                fail("too big bulk count string");
            }
            return INCOMPLETE;
        }
        int last = end - 1;
        if (last > start && in.getByte(last) == '\r') {
            last--;
        }
        int i = start + 1;
        boolean negative = i <= last && in.getByte(i) == '-';
        if (negative) {
            i++;
        }
        if (i > last || last - i > 18) {
            fail(error);
        }
        long value = 0;
        for (; i <= last; i++) {
            byte digit = in.getByte(i);
            if (digit < '0' || digit > '9') {
                fail(error);
            }
            value = value * 10 + (digit - '0');
        }
        in.readerIndex(end + 1);
        return negative ? -value : value;
    }

    private void fail(String message) {
        state = State.FAILED;
        throw new RespProtocolException("Protocol error: " + message);
    }
}
