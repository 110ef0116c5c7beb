package io.dkv.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Serves one client connection: runs each decoded command and writes the replies in the
 * order the commands came, however their answers arrive (pipelining). Replies that are
 * ready at once are written without a hop; the flush happens once per read batch. Replies
 * to a pipelined batch that complete later (answers from other replicas) are flushed by one
 * task queued behind the event loop's current I/O, so those that complete in one round of
 * peer reads leave in one system call rather than one each.
 *
 * <p>Back-pressure, counted in bytes: when the commands read and not yet answered pass
 * {@code client-input-budget-bytes} (or {@value #MAX_OUTSTANDING} of them are outstanding),
 * or the socket's send buffer is full, it stops reading from the client until the backlog
 * drains. Replies already owed are still written; a client that does not read them is
 * disconnected once its unsent replies pass {@code client-output-buffer-limit}. What the
 * connection holds is reported to the node's {@link ClientBudget} ({@code maxmemory-clients}).
 * A client idle for {@code timeout} seconds with nothing pending is closed.
 *
 * <p>Confined to the channel's event loop.
 */
final class RespConnectionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RespConnectionHandler.class);
    static final int MAX_OUTSTANDING = 1024;
    /** Replies up to this size are gathered into one buffer per flushed batch. */
    static final int GATHER_LIMIT = 16 * 1024;

    private final CommandTable commands;
    private final ClientCounters stats;
    private final ClientSession session;
    private final ClientBudget budget;
    private final RespDecoder decoder;
    private final ArrayDeque<Pending> outstanding = new ArrayDeque<>();
    private ClientBudget.Usage usage;
    private long unansweredBytes;
    private boolean overLimit;
    private ChannelHandlerContext context;
    private boolean unflushed;
    private ByteBuf gathered;
    private boolean pausedForBacklog;
    private boolean flushQueued;
    private final Runnable queuedFlush = () -> {
        flushQueued = false;
        flushIfNeeded();
    };
    private final Runnable drainLaterTask = this::drainLater;
    /** Told when a reply completes after its command was read, on whichever thread completed it. */
    private final Runnable lateReplyReady = () -> {
        if (context.executor().inEventLoop()) {
            drainLater();
        } else {
            context.executor().execute(drainLaterTask);
        }
    };

    /** A command read and not yet answered, and the bytes it took. */
    private record Pending(CompletableFuture<RespReply> reply, long bytes) {
    }

    RespConnectionHandler(CommandTable commands, ClientCounters stats, ClientSession session) {
        this(commands, stats, session, ClientBudget.unlimited(), null);
    }

    /**
     * @param budget  the node's client limits, to report to
     * @param decoder this connection's decoder, whose held bytes count toward the budget (may be null)
     */
    RespConnectionHandler(CommandTable commands, ClientCounters stats, ClientSession session, ClientBudget budget,
                          RespDecoder decoder) {
        this.commands = commands;
        this.stats = stats;
        this.session = session;
        this.budget = budget;
        this.decoder = decoder;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        context = ctx;
        usage = budget.register(ctx.channel(), session);
        stats.connected(session);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stats.disconnected(session);
        if (usage != null) {
            usage.close();
        }
        outstanding.clear();
        unansweredBytes = 0;
        if (gathered != null) {
            gathered.release();
            gathered = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (session.closing() || overLimit) {
            return;
        }
        RespCommand command = (RespCommand) message;
        stats.commandProcessed();
        CompletableFuture<RespReply> reply = commands.dispatch(session, command, lateReplyReady);
        if (outstanding.isEmpty() && reply.isDone()) {
            write(reply);
            return;
        }
        long bytes = commandBytes(command);
        outstanding.add(new Pending(reply, bytes));
        unansweredBytes += bytes;
        if ((outstanding.size() >= MAX_OUTSTANDING || unansweredBytes > budget.limits().inputBudgetBytes())
                && !pausedForBacklog) {
            pausedForBacklog = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        drain();
        flushIfNeeded();
        reportUsage();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateAutoRead();
        reportUsage();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && outstanding.isEmpty() && pendingOutputBytes() == 0) {
            log.debug("closing client {}: idle for {} s (timeout)", session.remoteAddress(), budget.limits().timeoutSeconds());
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof RespProtocolException) {
            // As Redis does: say what was wrong, then close this connection only.
            drain();
            writeReply(RespReply.error("ERR " + root.getMessage()));
            writeGathered();
            ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
            session.closeAfterReply();
            log.debug("closing client {}: {}", session.remoteAddress(), root.getMessage());
            return;
        }
        if (!(root instanceof IOException)) {
            log.warn("closing client {} after an error", session.remoteAddress(), root);
        }
        ctx.close();
    }

    /** Writes every reply at the head of the queue that is ready, in order, and flushes. */
    private void drain() {
        writeReady();
        flushIfNeeded();
        updateAutoRead();
    }

    /**
     * For replies that complete after their command was read. When nothing else is
     * outstanding the client waits for exactly what was written, so it is flushed now (a
     * queued flush measured 15 % slower for one request at a time); while more replies are
     * outstanding, the flush waits for the end of the event loop's current I/O, in which
     * more of them usually complete.
     */
    private void drainLater() {
        writeReady();
        if (outstanding.isEmpty()) {
            flushIfNeeded();
        } else if (unflushed && !flushQueued && context.channel().isActive()) {
            flushQueued = true;
            context.executor().execute(queuedFlush);
        }
        updateAutoRead();
        reportUsage();
    }

    private void writeReady() {
        while (!outstanding.isEmpty() && outstanding.peek().reply().isDone()) {
            Pending pending = outstanding.poll();
            unansweredBytes -= pending.bytes();
            write(pending.reply());
        }
    }

    private void write(CompletableFuture<RespReply> reply) {
        RespReply result;
        try {
            result = reply.join();
        } catch (RuntimeException e) {
            result = RespErrors.of(e);
        }
        writeReply(result);
    }

    /**
     * Encodes a reply. Small replies are gathered in one buffer that is written when the
     * batch is flushed (a pipelined batch of GETs becomes one buffer and one write); a large
     * reply goes out in a buffer of its own.
     */
    private void writeReply(RespReply reply) {
        if (overLimit) {
            return;
        }
        if (reply instanceof RespReply.Error) {
            stats.errorReplied();
        }
        int size = RespEncoder.estimateSize(reply);
        if (size > GATHER_LIMIT) {
            writeGathered();
            ByteBuf buffer = context.alloc().ioBuffer(size);
            RespEncoder.write(reply, session.protocol(), buffer);
            context.write(buffer, context.voidPromise());
        } else {
            if (gathered == null) {
                gathered = context.alloc().ioBuffer(Math.max(size, 4096));
            }
            RespEncoder.write(reply, session.protocol(), gathered);
            if (gathered.readableBytes() >= GATHER_LIMIT) {
                writeGathered();
            }
        }
        unflushed = true;
        checkOutputLimit();
        if (session.closing()) {
            unflushed = false;
            writeGathered();
            context.writeAndFlush(context.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void writeGathered() {
        if (gathered != null) {
            context.write(gathered, context.voidPromise());
            gathered = null;
        }
    }

    private void flushIfNeeded() {
        if (unflushed) {
            unflushed = false;
            writeGathered();
            context.flush();
        }
    }

    /**
     * {@code client-output-buffer-limit}: a client whose unsent replies pass the hard limit
     * does not read them, and is disconnected so that the node goes on.
     */
    private void checkOutputLimit() {
        long limit = budget.limits().outputLimitBytes();
        if (limit == 0 || overLimit) {
            return;
        }
        long pending = pendingOutputBytes();
        if (pending > limit) {
            overLimit = true;
            log.warn("closing client id={} addr={}: {} bytes of replies unread, over client-output-buffer-limit ({})",
                    session.id(), session.remoteAddress(), pending, limit);
            outstanding.clear();
            unansweredBytes = 0;
            if (gathered != null) {
                gathered.release();
                gathered = null;
            }
            unflushed = false;
            context.close();
        }
    }

    /** Reply bytes written and not yet taken by the socket, plus those gathered for the next write. */
    private long pendingOutputBytes() {
        ChannelOutboundBuffer buffer = context.channel().unsafe().outboundBuffer();
        return (buffer == null ? 0 : buffer.totalPendingWriteBytes()) + (gathered == null ? 0 : gathered.readableBytes());
    }

    /** Tells the node's budget what this connection holds now. */
    private void reportUsage() {
        if (usage == null || overLimit) {
            return;
        }
        long input = unansweredBytes + (decoder == null ? 0 : decoder.retainedBytes());
        usage.update(input, pendingOutputBytes());
    }

    /** What a command occupies while it waits for its answer: its arguments and their slots. */
    private static long commandBytes(RespCommand command) {
        long bytes = 64;
        for (int i = 0; i < command.argCount(); i++) {
            bytes += 16 + command.arg(i).length;
        }
        return bytes;
    }

    private void updateAutoRead() {
        if (context == null) {
            return;
        }
        boolean backlogged = outstanding.size() >= MAX_OUTSTANDING / 2
                || unansweredBytes > budget.limits().inputBudgetBytes() / 2 || !context.channel().isWritable();
        if (pausedForBacklog && !backlogged) {
            pausedForBacklog = false;
            context.channel().config().setAutoRead(true);
        } else if (!pausedForBacklog && !context.channel().isWritable()) {
            pausedForBacklog = true;
            context.channel().config().setAutoRead(false);
        }
    }
}
