package io.dkv.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Coalesces the frames written to one internode connection during an event-loop turn into
 * one buffer, and writes and flushes it once, at the end of the turn. A QUORUM request
 * costs the coordinator two frames and each replica one reply; under load many requests
 * become ready in the same turn, and each frame written on its own took a buffer from the
 * pool, an entry in the channel's outbound queue and a trip through the pipeline.
 *
 * <p>Only frames written without a listener (a void promise) and smaller than
 * {@link #LARGE_FRAME_BYTES} are coalesced; anything else first writes what is coalesced so
 * far, then goes on to {@link FrameEncoder} as before, so the order on the wire is the order
 * of the writes. A flush never flushes at once: it schedules the end-of-turn write, once per
 * turn (replacing Netty's {@code FlushConsolidationHandler}, which only consolidated flushes
 * made while the same channel was reading). No timer: nothing waits longer than the turn.
 *
 * <p>Confined to the channel's event loop, as every handler is.
 */
final class FrameCoalescer extends ChannelDuplexHandler {

    /** Frames from about this size on are written on their own: copying them into a batch costs more than it saves. */
    static final int LARGE_FRAME_BYTES = 16 * 1024;
    /** A batch that reaches this size is written (not yet flushed), and the next frame starts a new one. */
    static final int MAX_BATCH_BYTES = 64 * 1024;
    private static final int FIRST_BUFFER_BYTES = 1024;

    private ByteBuf batch;
    private boolean flushScheduled;
    private ChannelHandlerContext context;
    private final Runnable endOfTurn = this::writeAndFlush;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
        if (!(message instanceof Frame) || !promise.isVoid() || FrameEncoder.sizeHint(message) >= LARGE_FRAME_BYTES) {
            writeBatch(ctx);
            ctx.write(message, promise);
            return;
        }
        if (batch == null) {
            batch = ctx.alloc().ioBuffer(FIRST_BUFFER_BYTES);
        }
        int start = batch.writerIndex();
        try {
            FrameEncoder.encodeTo(message, batch);
        } catch (RuntimeException e) {
            batch.writerIndex(start); // the frames before it stay whole
            promise.setFailure(e);
            return;
        }
        if (batch.readableBytes() >= MAX_BATCH_BYTES) {
            writeBatch(ctx);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(endOfTurn);
        }
    }

    private void writeAndFlush() {
        flushScheduled = false;
        writeBatch(context);
        context.flush();
    }

    private void writeBatch(ChannelHandlerContext ctx) {
        if (batch != null) {
            ByteBuf full = batch;
            batch = null;
            ctx.write(full, ctx.voidPromise());
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        writeAndFlush();
        ctx.close(promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (batch != null) {
            batch.release();
            batch = null;
        }
    }
}
