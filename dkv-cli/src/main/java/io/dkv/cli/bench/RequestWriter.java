package io.dkv.cli.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOutboundInvoker;

import java.nio.charset.StandardCharsets;

/**
 * Writes {@code GET key:N} and {@code SET key:N <value>} as RESP arrays of bulk strings.
 * Small values are copied into the request; large ones are written as a shared read-only
 * buffer after the header, so a 1 MiB value is not copied per request. Thread-safe; one
 * per run, {@link #close()}d at its end.
 */
final class RequestWriter implements AutoCloseable {

    /** Values up to this size are copied into the request buffer; larger ones are shared. */
    private static final int COPY_LIMIT = 16 * 1024;

    private static final byte[] GET = "*2\r\n$3\r\nGET\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SET = "*3\r\n$3\r\nSET\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_PREFIX = Workload.KEY_PREFIX.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};

    private final byte[] value;
    private final byte[] valueHeader;
    private final ByteBuf sharedValue;

    RequestWriter(byte[] value) {
        this.value = value;
        this.valueHeader = ("$" + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        this.sharedValue = value.length > COPY_LIMIT
                ? Unpooled.unreleasableBuffer(Unpooled.directBuffer(value.length + 2).writeBytes(value).writeBytes(CRLF))
                : null;
    }

    /**
     * Appends one request to {@code batch} and returns the buffer to go on appending to.
     * That is {@code batch} itself, unless the value is too large to copy: then the batch so
     * far and the shared value are written to {@code out} (not flushed) and a new buffer is
     * returned. The caller writes or releases the buffer it ends up with.
     */
    ByteBuf append(ByteBuf batch, Operation operation, int key, ChannelOutboundInvoker out, ByteBufAllocator alloc) {
        if (operation == Operation.GET) {
            batch.writeBytes(GET);
            writeKey(batch, key);
            return batch;
        }
        batch.writeBytes(SET);
        writeKey(batch, key);
        batch.writeBytes(valueHeader);
        if (sharedValue == null) {
            batch.writeBytes(value).writeBytes(CRLF);
            return batch;
        }
        out.write(batch, out.voidPromise());
        out.write(sharedValue.duplicate(), out.voidPromise());
        return alloc.ioBuffer(initialBatchSize(1));
    }

    /** A buffer size that holds {@code requests} requests without growing, for small values. */
    int initialBatchSize(int requests) {
        return requests * (64 + (sharedValue == null ? value.length : 0));
    }

    /** A command of string arguments, e.g. {@code DKV.CONSISTENCY QUORUM}. */
    static ByteBuf command(ByteBufAllocator alloc, String... args) {
        ByteBuf request = alloc.ioBuffer();
        request.writeCharSequence("*" + args.length + "\r\n", StandardCharsets.US_ASCII);
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            request.writeCharSequence("$" + bytes.length + "\r\n", StandardCharsets.US_ASCII);
            request.writeBytes(bytes).writeBytes(CRLF);
        }
        return request;
    }

    private static void writeKey(ByteBuf request, int key) {
        int digits = digits(key);
        request.writeByte('$');
        writeDecimal(request, KEY_PREFIX.length + digits, digits(KEY_PREFIX.length + digits));
        request.writeBytes(CRLF).writeBytes(KEY_PREFIX);
        writeDecimal(request, key, digits);
        request.writeBytes(CRLF);
    }

    private static int digits(int value) {
        int digits = 1;
        while (value >= 10) {
            value /= 10;
            digits++;
        }
        return digits;
    }

    private static void writeDecimal(ByteBuf out, int value, int digits) {
        int end = out.writerIndex() + digits;
        out.ensureWritable(digits);
        for (int i = end - 1; i >= out.writerIndex(); i--) {
            out.setByte(i, '0' + value % 10);
            value /= 10;
        }
        out.writerIndex(end);
    }

    @Override
    public void close() {
        if (sharedValue != null) {
            sharedValue.unwrap().release();
        }
    }
}
