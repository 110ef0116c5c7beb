package io.dkv.server.storage;

import io.dkv.core.Entry;
import io.dkv.core.version.Version;
import io.dkv.server.config.StorageSettings;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A data directory on a small tmpfs that fills up: writes fail with an error naming the node
 * and the cause (and none blocks), reads keep working, and writes succeed again once space
 * is freed, without reopening the store.
 * Needs permission to mount a tmpfs (root in a container); skipped otherwise.
 */
class RocksDbDiskFullTest {

    @TempDir
    Path temp;

    private Path mount;

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            run("umount", mount.toString());
        }
    }

    @Test
    @Timeout(120)
    void aFullDiskFailsWritesClearlyKeepsReadsAndRecoversWhenSpaceIsFreed() throws Exception {
        mount = temp.resolve("small-disk");
        Files.createDirectories(mount);
        boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount.toString());
        if (!mounted) {
            mount = null;
        }
        Assumptions.assumeTrue(mounted, "cannot mount a tmpfs here (needs root)");
        Path filler = mount.resolve("filler");
        Files.write(filler, new byte[12 << 20]);
        StorageSettings settings = new StorageSettings(StorageSettings.Kind.ROCKSDB, mount.resolve("data"),
                StorageSettings.Sync.PERIODIC, 50, 8L << 20, 1L << 20, 0);
        RocksDbStore store = RocksDbStore.open(settings, RocksDbTestSupport.N1);
        RocksDbStorageEngine engine = store.storageEngine(16);
        byte[] value = new byte[64 << 10];
        new Random(1).nextBytes(value);
        // Not closed if a write blocks: closing waits for it, and the test must end.
        StorageException full = fill(engine, value);
        try {
            assertThat(full).as("a write on a full disk fails").isNotNull();
            // Usually the free-space probe refuses first; when a flush meets ENOSPC before the
            // next probe, RocksDB's own error is passed on. Either way: the node, and why.
            assertThat(full.getMessage()).startsWith("n1: ")
                    .containsAnyOf("writes that add data are refused until space is freed", "No space left on device");
            assertThat(engine.keyCount()).isGreaterThan(10);

            assertThat(engine.get(0, "k1".getBytes(StandardCharsets.UTF_8)).value()).isEqualTo(value);
            // RocksDB's own cleanup (a flushed log deleted, a failed file removed) may have freed
            // a little space since the refusal; take it, so the disk is full for certain.
            Path topUp = mount.resolve("top-up");
            fillRemainingSpace(topUp);
            assertThatThrownBy(() -> engine.merge(0, bytes("small"), Entry.value(new byte[10], new Version(1, 1))))
                    .isInstanceOf(StorageException.class)
                    .hasMessageStartingWith("n1: ");

            Files.delete(filler);
            Files.delete(topUp);
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> engine.merge(0, bytes("small"), Entry.value(new byte[10], new Version(1, 1))).applied());
            assertThat(engine.get(0, "k1".getBytes(StandardCharsets.UTF_8)).value()).isEqualTo(value);
        } finally {
            store.close();
        }
    }

    /**
     * Writes 64 KiB values until the store refuses them for want of space, on another
     * thread: should a write block inside RocksDB (the failure this guards against), the
     * test fails instead of hanging. Near a full disk a write may also fail because RocksDB
     * is stalled on a flush; those are counted and skipped.
     */
    private static StorageException fill(RocksDbStorageEngine engine, byte[] value) throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            return writer.submit(() -> {
                int stalled = 0;
                StorageException lastRocksDbError = null;
                long giveUpOnProbe = Long.MAX_VALUE;
                for (int i = 0; i < 100_000 && System.nanoTime() < giveUpOnProbe; i++) {
                    try {
                        engine.merge(0, ("k" + i).getBytes(StandardCharsets.UTF_8), Entry.value(value, new Version(i + 1, 1)));
                    } catch (StorageException e) {
                        if (e.getMessage().contains(REFUSED)) {
                            System.out.println(stalled + " writes failed as stalled before the store refused: " + e.getMessage());
                            return e;
                        }
                        if (!e.getMessage().contains("writes are stalled") && lastRocksDbError == null) {
                            // RocksDB met ENOSPC in a flush before the free-space probe saw the disk
                            // full; its cleanup may free a little space again, so go on until the
                            // store itself refuses (the probe runs every second), for 10 s at most.
                            lastRocksDbError = e;
                            giveUpOnProbe = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        }
                        stalled++;
                    }
                }
                return lastRocksDbError;
            }).get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("a write blocked inside RocksDB on a nearly full disk", e);
        } finally {
            writer.shutdown();
        }
    }

    /** Writes into {@code file} until the disk has no space left. */
    private static void fillRemainingSpace(Path file) throws IOException {
        byte[] chunk = new byte[4096];
        try (var out = Files.newOutputStream(file)) {
            while (true) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException expected) {
            // No space left on device: the disk is full, as wanted.
        }
    }

    /** The store's own refusal once its free-space probe finds the disk full. */
    private static final String REFUSED = "writes that add data are refused until space is freed";

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }
}
