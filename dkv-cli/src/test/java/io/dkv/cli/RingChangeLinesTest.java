package io.dkv.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code dkv status} prints about a ring change, from the fields of {@code DKV.RING}. */
class RingChangeLinesTest {

    @Test
    void aJoinShowsTheJoiningNodesCopyAndTheRate() {
        Map<String, Object> ring = ring(7, List.of("n1", "n2", "n3"), List.of("n1", "n2", "n3", "n4"),
                List.of(row("n4", "7", "12", "48", "120000000")), 10_000L);

        assertThat(RingChangeWatch.changeLines(ring)).containsExactly(
                "n4 joining: copied 12 of 48 partitions, 120.0 MB",
                "copied 120.0 MB in 10.0 s: 12.0 MB/s");
    }

    @Test
    void aDecommissionShowsTheLeaverAndEveryNodeTakingItsPartitions() {
        Map<String, Object> ring = ring(9, List.of("n1", "n2", "n3", "n4"), List.of("n1", "n2", "n3"),
                List.of(row("n1", "9", "3", "3", "1000000"), row("n2", "?", "?", "?", "?"),
                        row("n3", "8", "0", "0", "0")), 2_000L);

        assertThat(RingChangeWatch.changeLines(ring)).containsExactly(
                "n1 takes partitions: copied 3 of 3 partitions, 1.0 MB",
                "n2 takes partitions: did not answer",
                "n3 takes partitions: not at epoch 9 yet",
                "n4 leaving",
                "copied 1.0 MB in 2.0 s: 0.5 MB/s");
    }

    private static Map<String, Object> ring(long epoch, List<String> nodes, List<String> next, List<Object> progress,
                                            long millis) {
        Map<String, Object> ring = new HashMap<>();
        ring.put("epoch", epoch);
        ring.put("moving", 1L);
        ring.put("nodes", placements(nodes));
        ring.put("next", placements(next));
        ring.put("progress", progress);
        ring.put("moving_ms", millis);
        return ring;
    }

    private static List<Object> placements(List<String> nodes) {
        List<Object> rows = new ArrayList<>();
        for (String node : nodes) {
            rows.add(List.of(bytes(node), bytes("16")));
        }
        return rows;
    }

    private static List<Object> row(String... fields) {
        List<Object> row = new ArrayList<>();
        for (String field : fields) {
            row.add(bytes(field));
        }
        return row;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
