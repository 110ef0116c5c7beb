package io.dkv.server.config;

import io.dkv.core.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which storage a node gets from its settings, and the errors for bad storage settings. */
class StorageSettingsTest {

    private static StorageSettings storage(SettingsBuilder builder) {
        return builder.set("memory-limit-bytes", "1000000").build().storage();
    }

    @Test
    void memoryUnlessADataDirectoryIsGivenOrDefaulted() {
        assertThat(storage(new SettingsBuilder()).kind()).isEqualTo(StorageSettings.Kind.MEMORY);
        assertThat(storage(new SettingsBuilder()).dataDir()).isNull();

        StorageSettings given = storage(new SettingsBuilder().set("data-dir", "/var/lib/dkv"));
        assertThat(given.kind()).isEqualTo(StorageSettings.Kind.ROCKSDB);
        assertThat(given.dataDir()).isEqualTo(Path.of("/var/lib/dkv"));

        StorageSettings defaulted = storage(new SettingsBuilder().set("node", "n2")
                .defaultDataDir(node -> Path.of("data", node.toString())));
        assertThat(defaulted.kind()).isEqualTo(StorageSettings.Kind.ROCKSDB);
        assertThat(defaulted.dataDir()).isEqualTo(Path.of("data", "n2"));

        StorageSettings explicitMemory = storage(new SettingsBuilder().set("storage", "memory")
                .defaultDataDir(node -> Path.of("data", node.toString())));
        assertThat(explicitMemory.kind()).isEqualTo(StorageSettings.Kind.MEMORY);
    }

    @Test
    void syncAndSizesAreRead() {
        StorageSettings settings = storage(new SettingsBuilder().set("data-dir", "d").set("sync", "ALWAYS")
                .set("sync-interval-ms", "20").set("block-cache-bytes", "16_777_216")
                .set("write-buffer-bytes", "8388608").set("disk-limit-bytes", "1000000000"));
        assertThat(settings).isEqualTo(new StorageSettings(StorageSettings.Kind.ROCKSDB, Path.of("d"),
                StorageSettings.Sync.ALWAYS, 20, 16 << 20, 8 << 20, 1_000_000_000));
        assertThat(settings.describe()).isEqualTo("RocksDB in d (sync always)");
    }

    @Test
    void badStorageSettingsNameTheSetting() {
        assertThatThrownBy(() -> new SettingsBuilder().set("storage", "disk"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("storage: expected memory or rocksdb, got 'disk'");
        assertThatThrownBy(() -> new SettingsBuilder().set("sync", "sometimes"))
                .hasMessage("sync: expected periodic or always, got 'sometimes'");
        assertThatThrownBy(() -> storage(new SettingsBuilder().set("storage", "rocksdb")))
                .hasMessageContaining("storage (rocksdb) needs a data-dir");
        assertThatThrownBy(() -> storage(new SettingsBuilder().set("data-dir", "d").set("sync-interval-ms", "0")))
                .hasMessageContaining("sync-interval-ms (0) must be at least 1");
        assertThatThrownBy(() -> storage(new SettingsBuilder().set("data-dir", "d").set("block-cache-bytes", "1000")))
                .hasMessageContaining("block-cache-bytes (1000) must be at least 1 MiB");
    }
}
