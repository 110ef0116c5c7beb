package io.dkv.server.storage;

import io.dkv.core.Entry;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A backup taken while a writer runs is the store at one point of its history, and opens as a data directory. */
class RocksDbBackupTest {

    @TempDir
    Path dir;

    @Test
    void aBackupTakenDuringWritesHoldsAPrefixOfThemAndTheClockLease() throws Exception {
        Path data = dir.resolve("data");
        Path backupDir = dir.resolve("backup");
        RocksDbStore store = RocksDbTestSupport.open(data);
        ClockLeaseFile.in(data).extendTo(123_456_789L);
        RocksDbStorageEngine engine = store.storageEngine(16);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; !stop.get(); i++) {
                engine.merge(0, key(i), Entry.value(key(i), new Version(i + 1, 1)));
                written.set(i + 1);
            }
        });
        Backup backup;
        try {
            while (written.get() < 2_000) {
                Thread.sleep(5);
            }
            int before = written.get();
            backup = store.backup(backupDir, 1_700_000_000_000L);
            assertThat(backup.dir()).isEqualTo(backupDir);
            assertThat(store.lastBackup()).isEqualTo(backup);
            assertThat(before).isPositive();
        } finally {
            stop.set(true);
            writer.get(30, TimeUnit.SECONDS);
            store.close();
        }
        assertThat(backupDir.resolve(DataDirectory.RESTORED_BACKUP_FILE)).content()
                .contains("node=n1", "taken-at-millis=1700000000000");

        RocksDbStore restored = RocksDbTestSupport.open(backupDir);
        try {
            assertThat(restored.directory().isNew()).isFalse();
            assertThat(restored.directory().restoredFromBackup()).isTrue();
            RocksDbStorageEngine copy = restored.storageEngine(16);
            long keys = copy.keyCount();
            assertThat(keys).isGreaterThanOrEqualTo(2_000);
            for (int i = 0; i < keys; i++) {
                assertThat(copy.get(0, key(i))).as("k%d of a prefix of %d", i, keys).isNotNull();
            }
            assertThat(copy.get(0, key((int) keys))).as("nothing after the prefix").isNull();
        } finally {
            restored.close();
        }
        assertThat(ClockLeaseFile.in(backupDir).floor()).isEqualTo(123_456_789L);
    }

    @Test
    void aBackupIsRefusedIntoANonEmptyDirectoryAndLeavesItAlone() throws Exception {
        Path taken = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(taken.resolve("keep"), "x");
        RocksDbStore store = RocksDbTestSupport.open(dir.resolve("data"));
        try {
            assertThatThrownBy(() -> store.backup(taken, 0)).isInstanceOf(StorageException.class)
                    .hasMessage("n1: cannot back up to " + taken + ": it exists and is not empty; choose a new or empty"
                            + " directory");
            assertThatThrownBy(() -> store.backup(taken.resolve("keep"), 0))
                    .hasMessageContaining("it exists and is not a directory");
            assertThat(taken.resolve("keep")).content().isEqualTo("x");
            assertThat(store.lastBackup()).isNull();
        } finally {
            store.close();
        }
    }

    private static byte[] key(int i) {
        return ("k" + i).getBytes(StandardCharsets.UTF_8);
    }
}
