package io.dkv.cluster.handoff;

import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.version.EntryVersion;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryHintStoreTest {

    private static final NodeId N2 = NodeId.of(2);
    private static final NodeId N3 = NodeId.of(3);

    private static Hint hint(NodeId target, String key, long stamp, long storedAt) {
        return new Hint(target, 7, key.getBytes(StandardCharsets.UTF_8),
                Entry.value(("v" + stamp).getBytes(StandardCharsets.UTF_8), new Version(stamp, 1)), storedAt);
    }

    @Test
    void keepsOneHintPerTargetAndKeyTheNewestWinning() {
        MemoryHintStore store = new MemoryHintStore(100, 1 << 20);
        store.store(hint(N2, "k", 5, 0));
        store.store(hint(N2, "k", 9, 1));
        store.store(hint(N2, "k", 7, 2));
        store.store(hint(N3, "k", 1, 3));

        assertThat(store.get(N2, 7, "k".getBytes()).version().stamp()).isEqualTo(9);
        assertThat(store.get(N3, 7, "k".getBytes()).version().stamp()).isEqualTo(1);
        assertThat(store.count()).isEqualTo(2);
        assertThat(store.countsByTarget()).isEqualTo(Map.of(N2, 1, N3, 1));
    }

    @Test
    void refusesHintsPastItsCountAndByteBounds() {
        MemoryHintStore byCount = new MemoryHintStore(2, 1 << 20);
        assertThat(byCount.store(hint(N2, "a", 1, 0))).isTrue();
        assertThat(byCount.store(hint(N2, "b", 1, 0))).isTrue();
        assertThat(byCount.store(hint(N2, "c", 1, 0))).isFalse();
        assertThat(byCount.store(hint(N2, "a", 2, 0))).as("replacing an existing hint does not add one").isTrue();

        MemoryHintStore byBytes = new MemoryHintStore(100, 200);
        assertThat(byBytes.store(hint(N2, "a", 1, 0))).isTrue();
        Hint big = new Hint(N2, 7, "big".getBytes(), Entry.value(new byte[500], new Version(1, 1)), 0);
        assertThat(byBytes.store(big)).isFalse();
        assertThat(byBytes.get(N2, 7, "big".getBytes())).isNull();
    }

    @Test
    void removesOnlyTheVersionThatWasReplayed() {
        MemoryHintStore store = new MemoryHintStore(100, 1 << 20);
        store.store(hint(N2, "k", 5, 0));
        store.store(hint(N2, "k", 6, 0));

        assertThat(store.remove(N2, "k".getBytes(), EntryVersion.of(new Version(5, 1)))).isFalse();
        assertThat(store.remove(N2, "k".getBytes(), EntryVersion.of(new Version(6, 1)))).isTrue();
        assertThat(store.count()).isZero();
        assertThat(store.bytes()).isZero();
    }

    @Test
    void expiresHintsOlderThanTheWindowCountingFromTheFirstStore() {
        MemoryHintStore store = new MemoryHintStore(100, 1 << 20);
        store.store(hint(N2, "old", 1, 1_000));
        store.store(hint(N2, "old", 2, 9_000));
        store.store(hint(N2, "young", 1, 8_000));

        assertThat(store.expire(5_000)).isEqualTo(1);
        assertThat(store.get(N2, 7, "old".getBytes())).isNull();
        assertThat(store.get(N2, 7, "young".getBytes())).isNotNull();
    }

    @Test
    void batchesHintsPerTarget() {
        MemoryHintStore store = new MemoryHintStore(100, 1 << 20);
        for (int i = 0; i < 10; i++) {
            store.store(hint(N2, "k" + i, 1, 0));
        }
        store.store(hint(N3, "other", 1, 0));

        assertThat(store.batch(N2, 4)).hasSize(4).allMatch(h -> h.target().equals(N2));
        assertThat(store.batch(N2, 100)).hasSize(10);
        assertThat(store.batch(NodeId.of(9), 10)).isEmpty();
    }
}
