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
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A data directory where no file can be created (made immutable with {@code chattr +i}, on a
 * tmpfs mounted for the test: as root, permissions do not stop writes, and a file system with
 * files open for writing cannot be remounted read-only): RocksDB's flush fails, which makes it
 * refuse every later write until it is reopened. Writes fail with an error naming the node and
 * the cause, reads keep working, and once the directory is writable again the store reopens
 * RocksDB by itself and takes writes, with nothing lost. Needs root; skipped otherwise.
 */
class RocksDbReadOnlyTest {

    @TempDir
    Path temp;

    private Path mount;
    private Path data;

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            run("chattr", "-i", data.resolve("rocksdb").toString());
            run("chattr", "-i", data.toString());
            run("umount", mount.toString());
        }
    }

    @Test
    @Timeout(120)
    void writesFailClearlyWhileTheDirectoryIsReadOnlyReadsGoOnAndWritesResumeWithoutARestart() throws Exception {
        mount = temp.resolve("disk");
        Files.createDirectories(mount);
        if (!run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mount.toString())) {
            mount = null;
        }
        Assumptions.assumeTrue(mount != null, "cannot mount a tmpfs here (needs root)");
        data = mount.resolve("data");
        StorageSettings settings = RocksDbTestSupport.settings(data);
        RocksDbStore store = RocksDbStore.open(settings, RocksDbTestSupport.N1);
        RocksDbStorageEngine engine = store.storageEngine(16);
        for (int i = 0; i < 200; i++) {
            engine.merge(0, key(i), Entry.value(value(i), new Version(i + 1, 1)));
        }
        try {
            boolean immutable = run("chattr", "+i", data.resolve("rocksdb").toString()) && run("chattr", "+i", data.toString());
            Assumptions.assumeTrue(immutable, "chattr +i is not supported here");

            assertThatThrownBy(store::flushMemtables).isInstanceOf(StorageException.class)
                    .hasMessageStartingWith("n1: storage in " + data + ": cannot flush")
                    .hasMessageContaining("Operation not permitted");
            assertThatThrownBy(() -> engine.merge(0, key(1000), Entry.value(value(1000), new Version(1000, 1))))
                    .isInstanceOf(StorageException.class)
                    .hasMessageStartingWith("n1: ")
                    .hasMessageContaining("Operation not permitted")
                    .hasMessageContaining("reads go on");
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> store.writeProblem() != null && store.writeProblem().startsWith("data directory not writable"));
            assertThatThrownBy(() -> engine.merge(0, key(1000), Entry.value(value(1000), new Version(1000, 1))))
                    .hasMessage("n1: data directory " + data + " is not writable (FileSystemException: "
                            + data.resolve("rocksdb").resolve(WritableCheck.PROBE_FILE)
                            + ": Operation not permitted); writes are refused until it is, reads go on");
            for (int i = 0; i < 200; i++) {
                assertThat(engine.get(0, key(i)).value()).as("read of k%d while read-only", i).isEqualTo(value(i));
            }

            assertThat(run("chattr", "-i", data.resolve("rocksdb").toString()) && run("chattr", "-i", data.toString())).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> engine.merge(0, key(1000), Entry.value(value(1000), new Version(1000, 1))).applied());
            assertThat(store.reopens()).as("RocksDB was reopened").isEqualTo(1);
            assertThat(store.writeProblem()).isNull();
            store.flushMemtables();
        } finally {
            store.close();
        }

        RocksDbStore again = RocksDbStore.open(settings, RocksDbTestSupport.N1);
        try {
            RocksDbStorageEngine reopened = again.storageEngine(16);
            assertThat(reopened.keyCount()).isEqualTo(201);
            for (int i = 0; i < 200; i++) {
                assertThat(reopened.get(0, key(i)).value()).as("k%d after a restart", i).isEqualTo(value(i));
            }
            assertThat(reopened.get(0, key(1000)).value()).isEqualTo(value(1000));
        } finally {
            again.close();
        }
    }

    private static byte[] key(int i) {
        return ("k" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i) {
        byte[] value = new byte[1024];
        value[0] = (byte) i;
        value[1] = (byte) (i >> 8);
        return value;
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }
}
