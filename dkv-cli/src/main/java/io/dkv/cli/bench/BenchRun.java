package io.dkv.cli.bench;

import io.dkv.server.net.NettyRuntime;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * One run of the load generator: opens {@code clients} connections, sets each up, lets them
 * drive load until the {@link RunLimit}, prints a live line every second, and returns the
 * summary. A connection that is lost mid-run is reported and counted; the others go on.
 * {@link #run()} is called once, from one thread; {@link #stop()} may come from any thread.
 */
final class BenchRun {

    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final BenchPlan plan;
    private final PrintWriter progress;
    private final LongSupplier nanoTime;
    private final RequestBudget budget;
    private final BenchStats stats = new BenchStats();
    private final AtomicInteger connectionsLost = new AtomicInteger();

    /**
     * @param progress where the live lines and connection losses go (stderr, so that the
     *                 summary on stdout stays easy to parse)
     */
    BenchRun(BenchPlan plan, PrintWriter progress, LongSupplier nanoTime) {
        this.plan = plan;
        this.progress = progress;
        this.nanoTime = nanoTime;
        this.budget = RequestBudget.of(plan.limit());
    }

    /** Stops sending new requests; the run then ends once the replies in flight are in. */
    void stop() {
        budget.stop();
    }

    BenchSummary run() throws IOException, InterruptedException {
        try (RequestWriter writer = new RequestWriter(plan.workload().value());
             NettyRuntime runtime = new NettyRuntime(Math.min(plan.threads(), plan.clients()))) {
            List<Channel> channels = new ArrayList<>();
            try {
                List<BenchConnection> connections = connect(runtime, writer, channels);
                awaitReady(connections);
                return drive(connections);
            } finally {
                for (Channel channel : channels) {
                    channel.close().awaitUninterruptibly();
                }
            }
        }
    }

    private List<BenchConnection> connect(NettyRuntime runtime, RequestWriter writer, List<Channel> channels)
            throws IOException, InterruptedException {
        Bootstrap bootstrap = new Bootstrap()
                .group(runtime.group())
                .channel(runtime.channelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) plan.replyTimeout().toMillis());
        String consistency = plan.consistency() == null ? null : plan.consistency().name();
        SslContext tls = plan.tls().enabled() ? plan.tls().nettyContext() : null;
        List<BenchConnection> connections = new ArrayList<>();
        List<ChannelFuture> connecting = new ArrayList<>();
        for (int id = 0; id < plan.clients(); id++) {
            BenchConnection connection = new BenchConnection(id, plan.workload().operations(id), writer, budget, stats,
                    plan.pipeline(), plan.credentials(), consistency, nanoTime, plan.pacing());
            connections.add(connection);
            ChannelFuture future = bootstrap.clone().handler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel channel) {
                    if (tls != null) {
                        channel.pipeline().addLast(tls.newHandler(channel.alloc(), plan.host(), plan.port()));
                    }
                    channel.pipeline().addLast(new ReplyDecoder(), connection);
                }
            }).connect(plan.host(), plan.port());
            channels.add(future.channel());
            connecting.add(future);
        }
        for (ChannelFuture future : connecting) {
            future.await();
            if (!future.isSuccess()) {
                throw new IOException("cannot connect to " + plan.target() + ": " + future.cause().getMessage(), future.cause());
            }
        }
        return connections;
    }

    private void awaitReady(List<BenchConnection> connections) throws IOException, InterruptedException {
        CompletableFuture<?>[] ready = connections.stream().map(BenchConnection::ready).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(ready).get(plan.replyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException(plan.target() + " did not answer " + (plan.credentials().present() ? "AUTH or " : "")
                    + "DKV.CONSISTENCY within " + plan.replyTimeout().toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BenchConnection.SetupRefused refused && refused.command.equals("AUTH")) {
                throw new IOException(plan.target() + " refused AUTH: " + refused.getMessage(), refused);
            }
            throw new IOException(plan.target() + " refused DKV.CONSISTENCY " + plan.consistency() + ": "
                    + e.getCause().getMessage() + "\n--consistency works only against dkv; leave it out to run"
                    + " against other Redis-protocol servers (the server's default then applies)", e.getCause());
        }
    }

    private BenchSummary drive(List<BenchConnection> connections) throws InterruptedException {
        long start = nanoTime.getAsLong();
        StatsCollector collector = new StatsCollector(stats, start);
        CompletableFuture<?>[] finished = new CompletableFuture<?>[connections.size()];
        for (int i = 0; i < finished.length; i++) {
            finished[i] = connections.get(i).finished().thenAccept(this::reportLoss);
            connections.get(i).start(plan.firstDueNanos(i, start));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(finished);
        long warmupEnd = start + plan.warmup().toNanos();
        boolean warming = warmupEnd != start;
        long measuredFrom = start;
        long deadline = plan.limit() instanceof RunLimit.Timed timed ? warmupEnd + timed.length().toNanos() : Long.MAX_VALUE;
        long nextTick = start + TICK_NANOS;
        while (!all.isDone()) {
            long now = nanoTime.getAsLong();
            long wakeAt = now < deadline ? Math.min(nextTick, deadline) : nextTick;
            if (warming) {
                wakeAt = Math.min(wakeAt, warmupEnd);
            }
            try {
                all.get(Math.max(0, wakeAt - now), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // Time for a tick or the deadline; a connection never completes exceptionally.
            }
            now = nanoTime.getAsLong();
            if (warming && now >= warmupEnd) {
                // What the warm-up recorded is taken and dropped; the figures count the
                // requests due from here, on a schedule that starts here.
                for (int i = 0; i < connections.size(); i++) {
                    connections.get(i).measureFrom(now, plan.firstDueNanos(i, now));
                }
                collector.sample(now);
                collector = new StatsCollector(stats, now);
                measuredFrom = now;
                warming = false;
                progress.printf("%6.1f s warm-up over: measuring from here%n", (now - start) / 1e9);
                progress.flush();
            }
            if (now >= deadline) {
                budget.stop();
            }
            if (now >= nextTick && !all.isDone()) {
                progress.println(collector.sample(now).line((now - start) / 1e9));
                progress.flush();
                nextTick += TICK_NANOS;
                connections.forEach(connection -> connection.closeIfStalled(plan.replyTimeout().toNanos()));
            }
        }
        long end = connections.stream().mapToLong(connection -> connection.finished().join().endNanos()).max().orElse(start);
        collector.sample(end);
        return summary(collector.latencies(), (end - measuredFrom) / 1e9);
    }

    private void reportLoss(BenchConnection.Outcome outcome) {
        if (outcome.dropped()) {
            int lost = connectionsLost.incrementAndGet();
            progress.printf("connection %d lost (%s): %d request(s) in flight counted as errors; %s%n",
                    outcome.connection(), outcome.lostBecause(), outcome.lostRequests(),
                    lost < plan.clients() ? "going on with " + (plan.clients() - lost) + " of " + plan.clients() + " connections"
                            : "no connection left");
            progress.flush();
        }
    }

    private BenchSummary summary(BenchSummary.Latencies latencies, double seconds) {
        long requests = latencies.all().requests();
        Workload workload = plan.workload();
        return new BenchSummary(plan.target(), plan.clients(), plan.pipeline(), workload.keys(), workload.valueSize(),
                workload.ratio().toString(), plan.consistency() == null ? null : plan.consistency().name(), workload.seed(),
                Math.round(seconds * 1_000) / 1_000.0, requests, latencies.all().errors(),
                seconds > 0 ? Math.round(requests / seconds * 10) / 10.0 : 0, plan.openLoop() ? plan.rate() : null,
                stats.droppedConnections(), stats.firstError(), latencies);
    }
}
