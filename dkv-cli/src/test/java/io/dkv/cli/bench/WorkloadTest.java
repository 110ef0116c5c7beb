package io.dkv.cli.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class WorkloadTest {

    private static final int DRAWS = 200_000;

    @Test
    void mixFollowsTheRatio() {
        for (Ratio ratio : List.of(new Ratio(1, 1), new Ratio(9, 1), new Ratio(1, 4))) {
            OperationStream operations = new Workload(1_000, 10, ratio, 7).operations(0);
            int gets = 0;
            for (int i = 0; i < DRAWS; i++) {
                if (operations.next() == Operation.GET) {
                    gets++;
                }
            }
            // Binomial standard deviation at p = 0.5 over 200k draws is about 0.0011: 0.005 is over 4 sigma.
            assertThat(gets / (double) DRAWS).as("share of GETs at %s", ratio).isCloseTo(ratio.getShare(), within(0.005));
        }
    }

    @Test
    void onlyGetsOrOnlySetsWhenOneSideIsZero() {
        OperationStream onlySets = new Workload(10, 1, new Ratio(0, 1), 1).operations(3);
        OperationStream onlyGets = new Workload(10, 1, new Ratio(5, 0), 1).operations(3);
        for (int i = 0; i < 10_000; i++) {
            assertThat(onlySets.next()).isEqualTo(Operation.SET);
            assertThat(onlyGets.next()).isEqualTo(Operation.GET);
        }
    }

    @Test
    void keysCoverTheWholeKeySpaceAndNothingElse() {
        int keys = 1_000;
        OperationStream operations = new Workload(keys, 10, new Ratio(1, 1), 3).operations(0);
        BitSet seen = new BitSet();
        int[] counts = new int[keys];
        for (int i = 0; i < DRAWS; i++) {
            operations.next();
            int key = operations.key();
            assertThat(key).isBetween(0, keys - 1);
            seen.set(key);
            counts[key]++;
        }
        assertThat(seen.cardinality()).isEqualTo(keys);
        // Uniform: each key expects 200 draws (stddev about 14); none should be far off.
        assertThat(Arrays.stream(counts).min().orElseThrow()).isGreaterThanOrEqualTo(120);
        assertThat(Arrays.stream(counts).max().orElseThrow()).isLessThanOrEqualTo(280);
    }

    @Test
    void sameSeedAndConnectionGiveTheSameRequests() {
        Workload workload = new Workload(100_000, 10, new Ratio(3, 1), 42);

        assertThat(draw(workload.operations(5), 1_000)).isEqualTo(draw(workload.operations(5), 1_000));
        assertThat(draw(workload.operations(5), 1_000)).isNotEqualTo(draw(workload.operations(6), 1_000));
        assertThat(draw(workload.operations(5), 1_000))
                .isNotEqualTo(draw(new Workload(100_000, 10, new Ratio(3, 1), 43).operations(5), 1_000));
    }

    @Test
    void valueHasTheSizeAndIsTheSameForTheSameSeed() {
        Workload workload = new Workload(10, 1_000, new Ratio(1, 1), 9);

        assertThat(workload.value()).hasSize(1_000).isEqualTo(workload.value());
        assertThat(new Workload(10, 0, new Ratio(1, 1), 9).value()).isEmpty();
    }

    @Test
    void keyNames() {
        assertThat(new String(Workload.keyName(0), StandardCharsets.US_ASCII)).isEqualTo("key:0");
        assertThat(new String(Workload.keyName(99_999), StandardCharsets.US_ASCII)).isEqualTo("key:99999");
    }

    @Test
    void invalidShapesNameTheOption() {
        assertThatThrownBy(() -> new Workload(0, 10, new Ratio(1, 1), 1)).hasMessage("--keys (0) must be at least 1");
        assertThatThrownBy(() -> new Workload(10, -1, new Ratio(1, 1), 1)).hasMessage("--value-size (-1) must not be negative");
    }

    private static List<String> draw(OperationStream operations, int count) {
        List<String> drawn = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Operation operation = operations.next();
            drawn.add(operation + " " + operations.key());
        }
        return drawn;
    }
}
