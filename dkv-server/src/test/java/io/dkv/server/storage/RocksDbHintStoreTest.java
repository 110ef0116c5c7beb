package io.dkv.server.storage;

import io.dkv.cluster.handoff.HintStore;
import io.dkv.cluster.handoff.HintStoreContract;
import io.dkv.core.version.EntryVersion;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The hint store contract on RocksDB, and hints surviving a restart. */
class RocksDbHintStoreTest extends HintStoreContract {

    @TempDir
    Path temp;

    private final List<RocksDbStore> opened = new ArrayList<>();

    @Override
    protected HintStore open(int maxHints, long maxBytes) {
        RocksDbStore store = RocksDbTestSupport.open(temp.resolve("store-" + opened.size()));
        opened.add(store);
        return store.hintStore(maxHints, maxBytes, HintStoreContract::partitionOf);
    }

    @AfterEach
    void closeStores() {
        opened.forEach(RocksDbStore::close);
    }

    @Test
    void hintsSurviveARestartWithTheirCountsAndAge() {
        Path dir = temp.resolve("durable");
        try (RocksDbStore store = RocksDbTestSupport.open(dir)) {
            HintStore hints = store.hintStore(100, 1 << 20, HintStoreContract::partitionOf);
            hints.store(hint(N2, "a", 5, 1_000));
            hints.store(hint(N2, "b", 6, 2_000));
            hints.store(hint(N3, "a", 7, 9_000));
        }
        try (RocksDbStore store = RocksDbTestSupport.open(dir)) {
            HintStore hints = store.hintStore(100, 1 << 20, HintStoreContract::partitionOf);
            assertThat(hints.count()).isEqualTo(3);
            assertThat(hints.countsByTarget()).isEqualTo(Map.of(N2, 2, N3, 1));
            assertThat(hints.bytes()).isEqualTo(hint(N2, "a", 5, 0).sizeBytes() + hint(N2, "b", 6, 0).sizeBytes()
                    + hint(N3, "a", 7, 0).sizeBytes());
            assertThat(hints.batch(N2, 10)).hasSize(2);
            assertThat(hints.expire(5_000)).isEqualTo(2);
            assertThat(hints.remove(N3, bytes("a"), EntryVersion.of(new Version(7, 1)))).isTrue();
            assertThat(hints.count()).isZero();
        }
    }

    @Test
    void hintsKeptBeforeAKillAreThereAfterIt() {
        Path live = temp.resolve("live");
        Path crashed = temp.resolve("crashed");
        try (RocksDbStore store = RocksDbTestSupport.open(live)) {
            HintStore hints = store.hintStore(100, 1 << 20, HintStoreContract::partitionOf);
            for (int i = 0; i < 50; i++) {
                hints.store(hint(i % 2 == 0 ? N2 : N3, "k" + i, i + 1, 1_000 + i));
            }
            RocksDbTestSupport.copyAsAfterAKill(live, crashed);
        }
        try (RocksDbStore store = RocksDbTestSupport.open(crashed)) {
            assertThat(store.directory().wasCleanShutdown()).isFalse();
            HintStore hints = store.hintStore(100, 1 << 20, HintStoreContract::partitionOf);
            assertThat(hints.countsByTarget()).isEqualTo(Map.of(N2, 25, N3, 25));
            assertThat(hints.batch(N3, 100)).hasSize(25).allMatch(h -> h.storedAtMillis() >= 1_000);
        }
    }
}
