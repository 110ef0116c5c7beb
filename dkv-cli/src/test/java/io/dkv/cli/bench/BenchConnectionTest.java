package io.dkv.cli.bench;

import io.dkv.cli.client.Credentials;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

/** One {@link BenchConnection} on an {@link EmbeddedChannel}, with a hand-driven clock. */
class BenchConnectionTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Pattern REQUEST = Pattern.compile("\\*[23]\r\n\\$3\r\n(GET|SET)\r\n");

    private final AtomicLong clock = new AtomicLong(1_000 * MS);
    private final BenchStats stats = new BenchStats();
    private final RequestWriter writer = new RequestWriter("value".getBytes(StandardCharsets.US_ASCII));
    private EmbeddedChannel channel;
    private BenchConnection connection;

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        writer.close();
    }

    @Test
    void keepsThePipelineFullUntilTheBudgetIsSpent() {
        open(3, new RunLimit.Requests(5), null);

        connection.start(clock.get());
        channel.runPendingTasks();
        assertThat(requestsSent()).as("first batch: the pipeline depth").isEqualTo(3);

        reply("+OK\r\n$-1\r\n");
        assertThat(requestsSent()).as("two replies free two slots, the budget has two left").isEqualTo(2);
        assertThat(connection.finished()).isNotDone();

        reply("$5\r\nvalue\r\n+OK\r\n");
        assertThat(requestsSent()).isZero();
        assertThat(connection.finished()).as("budget spent, one reply outstanding").isNotDone();

        reply("+OK\r\n");
        assertThat(connection.finished()).isCompleted();
        assertThat(connection.finished().join().dropped()).isFalse();
        assertThat(successes()).isEqualTo(5);
        assertThat(stats.errors()).isZero();
    }

    @Test
    void latencyRunsFromTheWriteToTheReply() {
        open(1, new RunLimit.Requests(2), null);
        connection.start(clock.get());
        channel.runPendingTasks();
        requestsSent();

        clock.addAndGet(2 * MS);
        reply("+OK\r\n");
        clock.addAndGet(7 * MS);
        reply("+OK\r\n");

        Histogram latencies = latencies();
        assertThat(latencies.getTotalCount()).isEqualTo(2);
        assertThat(latencies.getMinValue()).isEqualTo(2_000);
        assertThat(latencies.getMaxValue()).isBetween(7_000L, 7_010L);
    }

    @Test
    void anErrorReplyIsCountedAndTheRunGoesOn() {
        open(1, new RunLimit.Requests(3), null);
        connection.start(clock.get());
        channel.runPendingTasks();
        requestsSent();

        reply("-ERR something went wrong\r\n");
        assertThat(requestsSent()).as("next request after the error").isEqualTo(1);
        reply("+OK\r\n");
        reply("+OK\r\n");

        assertThat(connection.finished()).isCompleted();
        assertThat(stats.errors()).isEqualTo(1);
        assertThat(stats.firstError()).isEqualTo("ERR something went wrong");
        assertThat(successes()).isEqualTo(2);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aLostConnectionCountsItsRequestsInFlightAsErrors() {
        open(4, new RunLimit.Timed(Duration.ofSeconds(10)), null);
        connection.start(clock.get());
        channel.runPendingTasks();
        assertThat(requestsSent()).isEqualTo(4);
        reply("+OK\r\n");
        assertThat(requestsSent()).isEqualTo(1);

        channel.close();

        BenchConnection.Outcome outcome = connection.finished().join();
        assertThat(outcome.dropped()).isTrue();
        assertThat(outcome.lostRequests()).isEqualTo(4);
        assertThat(outcome.lostBecause()).isEqualTo("closed by the server");
        assertThat(stats.errors()).isEqualTo(4);
        assertThat(stats.droppedConnections()).isEqualTo(1);
        assertThat(successes()).isEqualTo(1);
    }

    @Test
    void aConnectionWithoutRepliesIsClosedAsStalled() {
        open(2, new RunLimit.Timed(Duration.ofSeconds(10)), null);
        connection.start(clock.get());
        channel.runPendingTasks();
        requestsSent();

        clock.addAndGet(500 * MS);
        connection.closeIfStalled(1_000 * MS);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("waiting less than the timeout").isTrue();

        clock.addAndGet(600 * MS);
        connection.closeIfStalled(1_000 * MS);
        channel.runPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(connection.finished().join().lostBecause()).isEqualTo("no reply for 1000 ms");
        assertThat(stats.errors()).isEqualTo(2);
    }

    @Test
    void consistencyIsSetBeforeTheLoadAndARefusalFailsTheSetup() {
        open(1, new RunLimit.Requests(1), "QUORUM");

        assertThat(outbound()).isEqualTo("*2\r\n$15\r\nDKV.CONSISTENCY\r\n$6\r\nQUORUM\r\n");
        assertThat(connection.ready()).isNotDone();

        reply("-ERR unknown command 'DKV.CONSISTENCY', with args beginning with: 'QUORUM'\r\n");

        assertThat(connection.ready()).isCompletedExceptionally();
        assertThat(connection.ready().handle((ok, error) -> error.getMessage()).join())
                .isEqualTo("ERR unknown command 'DKV.CONSISTENCY', with args beginning with: 'QUORUM'");
        assertThat(stats.errors()).as("setup is not part of the load").isZero();
    }

    @Test
    void acceptedConsistencyMakesTheConnectionReady() {
        open(1, new RunLimit.Requests(1), "ALL");
        outbound();

        reply("*4\r\n$4\r\nread\r\n$3\r\nALL\r\n$5\r\nwrite\r\n$3\r\nALL\r\n");

        assertThat(connection.ready()).isCompleted();
        connection.start(clock.get());
        channel.runPendingTasks();
        assertThat(requestsSent()).isEqualTo(1);
    }

    @Test
    void openLoopLatencyCountsFromWhenEachRequestWasDueNotFromItsWrite() {
        openPaced(1, new RunLimit.Requests(3), Pacing.every(10 * MS));
        connection.start(clock.get());
        channel.runPendingTasks();
        assertThat(requestsSent()).as("the first request is due at the start").isEqualTo(1);

        clock.addAndGet(25 * MS);
        reply("+OK\r\n");
        assertThat(requestsSent()).as("the second was due at +10 ms and goes at once").isEqualTo(1);
        clock.addAndGet(5 * MS);
        reply("+OK\r\n");
        assertThat(requestsSent()).as("the third was due at +20 ms").isEqualTo(1);
        clock.addAndGet(1 * MS);
        reply("+OK\r\n");

        assertThat(connection.finished()).isCompleted();
        Histogram latencies = latencies();
        assertThat(latencies.getTotalCount()).isEqualTo(3);
        // Written at +0, +25, +30 and answered at +25, +30, +31: timed from the write they would
        // be 25, 5 and 1 ms, hiding the stall; timed from when they were due, 25, 20 and 11 ms.
        // (HdrHistogram keeps three significant digits: compared within 0.5 %.)
        assertThat(latencies.getValueAtPercentile(0)).isCloseTo(11_000L, withinPercentage(0.5));
        assertThat(latencies.getValueAtPercentile(50)).isCloseTo(20_000L, withinPercentage(0.5));
        assertThat(latencies.getMaxValue()).isCloseTo(25_000L, withinPercentage(0.5));
    }

    @Test
    void theMeasuredPartStartsOnItsOwnScheduleWithoutTheWarmupsBacklog() {
        openPaced(1, new RunLimit.Requests(2), Pacing.every(10 * MS));
        connection.start(clock.get());
        channel.runPendingTasks();
        assertThat(requestsSent()).isEqualTo(1);

        // The reply takes 35 ms: requests due at +10, +20 and +30 are behind when the warm-up ends.
        clock.addAndGet(35 * MS);
        connection.measureFrom(clock.get(), clock.get());
        channel.runPendingTasks();
        reply("+OK\r\n");
        assertThat(requestsSent()).as("the next request is the measured part's first, due now").isEqualTo(1);
        clock.addAndGet(2 * MS);
        reply("+OK\r\n");

        assertThat(connection.finished()).isCompleted();
        Histogram latencies = latencies();
        assertThat(latencies.getTotalCount()).as("the warm-up's request is not recorded").isEqualTo(1);
        // Due at +35 and answered at +37; with the warm-up's schedule it would count from +10: 27 ms.
        assertThat(latencies.getMaxValue()).isCloseTo(2_000L, withinPercentage(0.5));
    }

    @Test
    void openLoopWaitsForTheNextRequestToBeDueEvenWithSlotsFree() {
        openPaced(4, new RunLimit.Requests(2), Pacing.every(10 * MS));
        connection.start(clock.get());
        channel.runPendingTasks();
        assertThat(requestsSent()).as("one due, three slots free").isEqualTo(1);

        clock.addAndGet(4 * MS);
        reply("+OK\r\n");
        assertThat(requestsSent()).as("the reply frees a slot, but nothing is due before +10 ms").isZero();
        assertThat(connection.finished()).isNotDone();

        clock.addAndGet(6 * MS);
        channel.advanceTimeBy(10, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(requestsSent()).as("the timer sends the second when it is due").isEqualTo(1);
        reply("+OK\r\n");
        channel.advanceTimeBy(10, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        assertThat(connection.finished()).as("budget spent, nothing in flight").isCompleted();
        assertThat(successes()).isEqualTo(2);
    }

    private void open(int pipeline, RunLimit limit, String consistency) {
        open(pipeline, limit, consistency, Pacing.closedLoop());
    }

    private void openPaced(int pipeline, RunLimit limit, Pacing pacing) {
        open(pipeline, limit, null, pacing);
    }

    private void open(int pipeline, RunLimit limit, String consistency, Pacing pacing) {
        Workload workload = new Workload(100, 5, new Ratio(1, 1), 1);
        connection = new BenchConnection(0, workload.operations(0), writer, RequestBudget.of(limit), stats, pipeline,
                Credentials.NONE, consistency, clock::get, pacing);
        channel = new EmbeddedChannel(new ReplyDecoder(), connection);
    }

    private void reply(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
    }

    /** How many requests were written since the last call. */
    private int requestsSent() {
        Matcher matcher = REQUEST.matcher(outbound());
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    private String outbound() {
        StringBuilder text = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            text.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return text.toString();
    }

    private Histogram latencies() {
        Histogram all = BenchStats.newHistogram();
        for (Operation operation : Operation.values()) {
            stats.takeInterval(operation, all);
        }
        return all;
    }

    private long successes() {
        return latencies().getTotalCount();
    }
}
