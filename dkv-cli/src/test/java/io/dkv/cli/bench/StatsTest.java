package io.dkv.cli.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

/** Percentiles and counts, from {@link BenchStats} through {@link StatsCollector} to {@link LatencySummary}. */
class StatsTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void percentilesOfOneToAThousandMilliseconds() {
        Histogram micros = BenchStats.newHistogram();
        for (int ms = 1; ms <= 1_000; ms++) {
            micros.recordValue(ms * 1_000L);
        }

        LatencySummary summary = LatencySummary.of(micros, 5);

        // HdrHistogram with 3 significant digits: each value within 0.1% of the exact one.
        assertThat(summary.requests()).isEqualTo(1_005);
        assertThat(summary.errors()).isEqualTo(5);
        assertThat(summary.p50()).isCloseTo(500, withinPercentage(0.1));
        assertThat(summary.p90()).isCloseTo(900, withinPercentage(0.1));
        assertThat(summary.p99()).isCloseTo(990, withinPercentage(0.1));
        assertThat(summary.p999()).isCloseTo(999, withinPercentage(0.1));
        assertThat(summary.max()).isCloseTo(1_000, withinPercentage(0.1));
        assertThat(summary.mean()).isCloseTo(500.5, withinPercentage(0.1));
    }

    @Test
    void aSkewedMixSeparatesTheTail() {
        Histogram micros = BenchStats.newHistogram();
        micros.recordValueWithCount(200, 990);   // 0.2 ms
        micros.recordValueWithCount(50_000, 10); // 50 ms: the slowest 1%

        LatencySummary summary = LatencySummary.of(micros, 0);

        assertThat(summary.p50()).isEqualTo(0.2);
        assertThat(summary.p90()).isEqualTo(0.2);
        assertThat(summary.p99()).isEqualTo(0.2);
        assertThat(summary.p999()).isCloseTo(50, withinPercentage(0.1));
        assertThat(summary.max()).isCloseTo(50, withinPercentage(0.1));
    }

    @Test
    void noSuccessesGivesZeroLatenciesAndKeepsTheErrors() {
        LatencySummary summary = LatencySummary.of(BenchStats.newHistogram(), 3);

        assertThat(summary).isEqualTo(new LatencySummary(3, 3, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void intervalsCountOnlyTheirOwnRequestsAndTotalsAddUp() {
        BenchStats stats = new BenchStats();
        BenchStats.Recorders loopA = stats.recordersFor("loop-a");
        BenchStats.Recorders loopB = stats.recordersFor("loop-b");
        StatsCollector collector = new StatsCollector(stats, 0);

        for (int i = 0; i < 100; i++) {
            loopA.recordLatency(Operation.GET, MS);
            loopB.recordLatency(Operation.SET, 3 * MS);
        }
        stats.recordError(Operation.SET, "ERR first");
        StatsCollector.Interval first = collector.sample(2_000 * MS);

        assertThat(first.requests()).isEqualTo(201);
        assertThat(first.opsPerSecond()).isEqualTo(100.5);
        assertThat(first.p50Ms()).isCloseTo(1, withinPercentage(0.1));
        assertThat(first.p99Ms()).isCloseTo(3, withinPercentage(0.1));
        assertThat(first.errorsSoFar()).isEqualTo(1);

        for (int i = 0; i < 50; i++) {
            loopB.recordLatency(Operation.GET, 10 * MS);
        }
        stats.recordError(Operation.GET, "ERR second");
        StatsCollector.Interval second = collector.sample(3_000 * MS);

        assertThat(second.requests()).isEqualTo(51);
        assertThat(second.opsPerSecond()).isEqualTo(51);
        assertThat(second.p50Ms()).isCloseTo(10, withinPercentage(0.1));
        assertThat(second.errorsSoFar()).isEqualTo(2);

        BenchSummary.Latencies totals = collector.latencies();
        assertThat(totals.get().requests()).isEqualTo(151);
        assertThat(totals.get().errors()).isEqualTo(1);
        assertThat(totals.get().p50()).isCloseTo(1, withinPercentage(0.1));
        assertThat(totals.get().max()).isCloseTo(10, withinPercentage(0.1));
        assertThat(totals.set().requests()).isEqualTo(101);
        assertThat(totals.set().p50()).isCloseTo(3, withinPercentage(0.1));
        assertThat(totals.all().requests()).isEqualTo(252);
        assertThat(totals.all().errors()).isEqualTo(2);
        assertThat(stats.firstError()).isEqualTo("ERR first");
    }

    @Test
    void aCollectorStartedAfterAWarmupLeavesOutItsLatenciesAndErrors() {
        BenchStats stats = new BenchStats();
        BenchStats.Recorders loop = stats.recordersFor("loop");
        StatsCollector warmup = new StatsCollector(stats, 0);
        for (int i = 0; i < 10; i++) {
            loop.recordLatency(Operation.GET, 500 * MS); // the slow start of a cold client
        }
        stats.recordError(Operation.SET, "ERR during warm-up");
        warmup.sample(1_000 * MS);

        StatsCollector measured = new StatsCollector(stats, 1_000 * MS);
        for (int i = 0; i < 20; i++) {
            loop.recordLatency(Operation.GET, MS);
        }
        stats.recordError(Operation.GET, "ERR measured");
        StatsCollector.Interval interval = measured.sample(2_000 * MS);

        assertThat(interval.requests()).isEqualTo(21);
        BenchSummary.Latencies totals = measured.latencies();
        assertThat(totals.get().requests()).isEqualTo(21);
        assertThat(totals.get().errors()).isEqualTo(1);
        assertThat(totals.get().max()).isCloseTo(1, withinPercentage(0.1));
        assertThat(totals.set().errors()).isZero();
        assertThat(totals.all().errors()).isEqualTo(1);
    }
}
