package io.dkv.cluster.config;

import io.dkv.core.InvalidConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpeculativeRetryTest {

    private static final SpeculativeRetry BASE = SpeculativeRetry.DEFAULT;

    @Test
    void parsesCassandrasSpellings() {
        assertThat(BASE.withPolicy("99p")).isEqualTo(BASE);
        assertThat(BASE.withPolicy("95PERCENTILE").percentile()).isEqualTo(95.0);
        assertThat(BASE.withPolicy(" 20ms ").fixedMillis()).isEqualTo(20);
        assertThat(BASE.withPolicy("none").kind()).isEqualTo(SpeculativeRetry.Kind.NONE);
        assertThat(BASE.withPolicy("ALWAYS").asksAll()).isTrue();
        assertThat(BASE.withPolicy("99.9p").toString()).isEqualTo("99.9p");
    }

    @Test
    void refusesWhatItCannotRead() {
        assertThatThrownBy(() -> BASE.withPolicy("soon")).isInstanceOf(InvalidConfigException.class)
                .hasMessage("speculative-retry: expected NONE, ALWAYS, a percentile such as 99p, or a delay such as"
                        + " 20ms, got 'soon'");
        assertThatThrownBy(() -> BASE.withPolicy("100p")).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("must be between 0 and 100");
        assertThatThrownBy(() -> BASE.withPolicy("0ms")).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("at least 1 ms");
        assertThatThrownBy(() -> ClusterConfig.builder().speculativeRetry(BASE.withMinMillis(50).withMaxMillis(10)).build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("speculative-retry-max-ms (10) must not be below speculative-retry-min-ms (50)");
    }

    @Test
    void theDelayKeepsBetweenTheFloorAndTheCapAndHalfTheTimeout() {
        assertThat(BASE.delayMillis(7, 1_000)).isEqualTo(7);
        assertThat(BASE.delayMillis(0, 1_000)).as("floor").isEqualTo(2);
        assertThat(BASE.delayMillis(900, 1_000)).as("cap").isEqualTo(100);
        assertThat(BASE.delayMillis(-1, 1_000)).as("no estimate yet: the cap").isEqualTo(100);
        assertThat(BASE.delayMillis(150, 120)).as("half the replica timeout").isEqualTo(60);
        assertThat(BASE.withPolicy("30ms").delayMillis(1, 1_000)).isEqualTo(30);
    }
}
