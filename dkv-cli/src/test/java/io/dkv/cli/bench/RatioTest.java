package io.dkv.cli.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RatioTest {

    @Test
    void parsesGetsThenSets() {
        assertThat(Ratio.parse("9:1")).isEqualTo(new Ratio(9, 1));
        assertThat(Ratio.parse(" 1 : 3 ")).isEqualTo(new Ratio(1, 3));
        assertThat(Ratio.parse("0:1").getShare()).isZero();
        assertThat(Ratio.parse("3:1").getShare()).isEqualTo(0.75);
        assertThat(Ratio.parse("9:1")).hasToString("9:1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "1:", ":1", "1:1:1", "a:b", "1.5:1", "1/1", "99999999999:1"})
    void malformedTextNamesTheExpectedForm(String text) {
        assertThatThrownBy(() -> Ratio.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--ratio must be GET:SET as two whole numbers, e.g. 1:1 or 9:1, not '" + text + "'");
    }

    @Test
    void negativeOrEmptyMixesAreRejected() {
        assertThatThrownBy(() -> Ratio.parse("-1:2")).hasMessageContaining("must not have a negative part");
        assertThatThrownBy(() -> Ratio.parse("0:0")).hasMessageContaining("at least one GET or SET");
    }
}
