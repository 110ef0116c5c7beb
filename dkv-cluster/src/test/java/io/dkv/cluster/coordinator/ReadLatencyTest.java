package io.dkv.cluster.coordinator;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class ReadLatencyTest {

    @Test
    void bucketsHoldTheirSamples() {
        for (long micros = 1; micros < 10_000_000; micros = micros * 3 / 2 + 1) {
            int bucket = ReadLatency.bucket(micros);
            assertThat(ReadLatency.upperMicros(bucket)).as("%d µs", micros).isGreaterThanOrEqualTo(micros);
            assertThat(ReadLatency.upperMicros(bucket)).as("%d µs", micros).isLessThanOrEqualTo(micros * 5 / 4 + 1);
        }
    }

    @Test
    void estimatesThePercentileOfRecentSamplesOnly() {
        ReadLatency latency = new ReadLatency(99);
        assertThat(latency.recentMillis()).as("no window yet").isEqualTo(-1);
        SplittableRandom random = new SplittableRandom(1);
        // 98% at 1 ms, 2% at 40 ms: the 99th percentile is 40 ms (within a bucket).
        for (int i = 0; i < 20 * ReadLatency.WINDOW; i++) {
            latency.record((random.nextInt(100) < 98 ? 1 : 40) * 1_000_000L);
        }
        assertThat(latency.recentMillis()).isBetween(40L, 50L);
        // Then the slow ones stop: the old samples fade within a few windows.
        for (int i = 0; i < 12 * ReadLatency.WINDOW; i++) {
            latency.record(1_000_000L);
        }
        assertThat(latency.recentMillis()).isBetween(1L, 2L);
    }
}
