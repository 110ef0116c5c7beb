package io.dkv.cli.bench;

import io.dkv.cli.client.Credentials;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Drives one connection of a run: keeps up to {@code pipeline} requests in flight, times
 * each from its write to its reply, and reports both to {@link BenchStats}. Every method
 * runs on the channel's event loop; other threads only call {@link #start()} and
 * {@link #closeIfStalled(long)}, which hand their work to that loop.
 *
 * <p>Replies come back in request order (RESP has no request ids), so the requests in
 * flight are a FIFO ring of {@code pipeline} slots. New requests are sent once per read
 * batch ({@code channelReadComplete}), one flush for however many replies arrived; in open
 * loop ({@link Pacing}) also when a timer says the next one is due.
 */
final class BenchConnection extends SimpleChannelInboundHandler<Reply> {

    /** How a connection ended: done, or lost with {@code lostRequests} still in flight. */
    record Outcome(int connection, long endNanos, String lostBecause, int lostRequests) {
        boolean dropped() {
            return lostBecause != null;
        }
    }

    private final int id;
    private final OperationStream operations;
    private final RequestWriter writer;
    private final RequestBudget budget;
    private final BenchStats stats;
    private final ArrayDeque<String[]> setup = new ArrayDeque<>();
    private final LongSupplier nanoTime;
    private final Pacing pacing;

    private final Operation[] sent;
    private final long[] sentAt;
    private int oldest;
    private int inFlight;

    private ChannelHandlerContext ctx;
    private BenchStats.Recorders latencies;
    private boolean running;
    private boolean done;
    private long lastProgress;
    private String closeReason;
    private boolean wakeUpScheduled;
    /** Once set, requests due (open loop) or written (closed loop) before {@link #measuredFrom} are the warm-up's: not recorded. */
    private volatile boolean warmupOver;
    private volatile long measuredFrom;

    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<Outcome> finished = new CompletableFuture<>();

    /**
     * @param credentials sent as {@code AUTH} first, when present
     * @param consistency the level to send as {@code DKV.CONSISTENCY} before the load, or null
     * @param nanoTime    the clock requests are timed with
     * @param pacing      when requests are due: closed loop, or open loop at a fixed rate
     */
    BenchConnection(int id, OperationStream operations, RequestWriter writer, RequestBudget budget, BenchStats stats,
                    int pipeline, Credentials credentials, String consistency, LongSupplier nanoTime, Pacing pacing) {
        this.id = id;
        this.operations = operations;
        this.writer = writer;
        this.budget = budget;
        this.stats = stats;
        if (credentials.present()) {
            setup.add(credentials.authCommand());
        }
        if (consistency != null) {
            setup.add(new String[] {"DKV.CONSISTENCY", consistency});
        }
        this.nanoTime = nanoTime;
        this.pacing = pacing;
        this.sent = new Operation[pipeline];
        this.sentAt = new long[pipeline];
    }

    /** Completes when the connection is set up and can {@link #start()}; fails with the server's refusal. */
    CompletableFuture<Void> ready() {
        return ready;
    }

    /** Completes when the budget is spent and every reply is in, or when the connection is lost. */
    CompletableFuture<Outcome> finished() {
        return finished;
    }

    /** Starts sending load; in open loop the first request is due at {@code firstDueNanos}. */
    void start(long firstDueNanos) {
        ctx.executor().execute(() -> {
            running = true;
            lastProgress = nanoTime.getAsLong();
            pacing.startAt(firstDueNanos);
            send();
        });
    }

    /**
     * The warm-up is over at {@code fromNanos}: replies to requests from before it are not
     * recorded, and in open loop the next request is due at {@code firstDueNanos} at the
     * earliest ({@link Pacing#restartAt}). So the measured figures are those of requests due
     * in the measured part, each timed in full.
     */
    void measureFrom(long fromNanos, long firstDueNanos) {
        measuredFrom = fromNanos;
        warmupOver = true; // after measuredFrom: whoever reads it true reads that too
        ctx.executor().execute(() -> pacing.restartAt(firstDueNanos));
    }

    /** Closes the connection if it has waited longer than {@code timeoutNanos} for a reply. */
    void closeIfStalled(long timeoutNanos) {
        ctx.executor().execute(() -> {
            if (running && !done && inFlight > 0 && nanoTime.getAsLong() - lastProgress > timeoutNanos) {
                closeReason = "no reply for " + timeoutNanos / 1_000_000 + " ms";
                ctx.close();
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.latencies = stats.recordersFor(ctx.executor());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        sendSetup(ctx);
        ctx.fireChannelActive();
    }

    /** Sends the next setup command (AUTH, DKV.CONSISTENCY), or is ready when none is left. */
    private void sendSetup(ChannelHandlerContext ctx) {
        if (setup.isEmpty()) {
            ready.complete(null);
        } else {
            ctx.writeAndFlush(RequestWriter.command(ctx.alloc(), setup.peek()));
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Reply reply) {
        if (!ready.isDone()) {
            String[] command = setup.poll();
            if (reply.isError()) {
                ready.completeExceptionally(new SetupRefused(command == null ? "?" : command[0], reply.error()));
            } else {
                sendSetup(ctx);
            }
            return;
        }
        if (inFlight == 0) {
            closeReason = "a reply nobody asked for";
            ctx.close();
            return;
        }
        Operation operation = sent[oldest];
        long startedAt = sentAt[oldest];
        oldest = (oldest + 1) % sent.length;
        inFlight--;
        lastProgress = nanoTime.getAsLong();
        if (warmupOver && startedAt - measuredFrom < 0) {
            return; // a warm-up request
        }
        if (reply.isError()) {
            stats.recordError(operation, reply.error());
        } else {
            latencies.recordLatency(operation, lastProgress - startedAt);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (running && !done) {
            send();
        }
    }

    /** Tops the requests in flight up to the pipeline depth, or finishes when there is nothing left to do. */
    private void send() {
        long now = nanoTime.getAsLong();
        ByteBuf batch = null;
        while (inFlight < sent.length && pacing.due(now) && budget.tryAcquire()) {
            if (batch == null) {
                batch = ctx.alloc().ioBuffer(writer.initialBatchSize(sent.length - inFlight));
            }
            Operation operation = operations.next();
            batch = writer.append(batch, operation, operations.key(), ctx, ctx.alloc());
            int slot = (oldest + inFlight) % sent.length;
            sent[slot] = operation;
            sentAt[slot] = pacing.take(now);
            inFlight++;
        }
        if (batch != null) {
            if (batch.isReadable()) {
                ctx.write(batch, ctx.voidPromise());
            } else {
                batch.release();
            }
            ctx.flush();
        } else if (inFlight == 0 && (!pacing.openLoop() || budget.spent())) {
            finish();
            return;
        }
        if (pacing.openLoop() && inFlight < sent.length && !wakeUpScheduled) {
            // A free slot and nothing due yet: wake up when the next request is; with no
            // free slot, the next reply calls send() instead.
            wakeUpScheduled = true;
            ctx.executor().schedule(this::wakeUp, pacing.nanosUntilDue(nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
        }
    }

    private void wakeUp() {
        wakeUpScheduled = false;
        if (running && !done) {
            send();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        String reason = closeReason != null ? closeReason : "closed by the server";
        if (!ready.isDone()) {
            ready.completeExceptionally(new IOException("connection closed during setup (" + reason + ")"));
        }
        if (!done) {
            int lost = inFlight;
            for (int i = 0; i < lost; i++) {
                stats.recordError(sent[(oldest + i) % sent.length], "connection " + id + " lost: " + reason);
            }
            inFlight = 0;
            stats.recordDroppedConnection();
            done = true;
            finished.complete(new Outcome(id, nanoTime.getAsLong(), reason, lost));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closeReason == null) {
            closeReason = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        }
        ctx.close();
    }

    private void finish() {
        done = true;
        finished.complete(new Outcome(id, nanoTime.getAsLong(), null, 0));
    }

    /** The server refused a setup command; {@code command} names it (AUTH, DKV.CONSISTENCY). */
    static final class SetupRefused extends IOException {
        final String command;

        SetupRefused(String command, String message) {
            super(message);
            this.command = command;
        }
    }
}
