package io.dkv.server;

import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code DKV.BACKUP}: a node backs up its data while it serves; a node started on the
 * restored backup recovers (even under {@code sync: always}, where a clean restart would
 * not), gets what was written after the backup from its peers, and no longer recovers on
 * its next restart.
 */
class BackupTest {

    private static final NodeId N2 = NodeId.of(2);

    @TempDir
    Path dir;

    private LocalCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aNodeRestoredFromABackupRecoversAndCatchesUp() {
        int basePort = Ports.freeBasePort(3);
        cluster = LocalCluster.start(3, 3, basePort, settings -> settings
                .defaultDataDir(node -> dir.resolve("data").resolve(node.toString()))
                .set("sync", "always")
                .set("partitions", "256") // a restored node compares every partition: keep it short
                .set("http-port", "0"));
        Path backup = dir.resolve("backups").resolve("n2");
        try (Jedis n1 = new Jedis("127.0.0.1", basePort, 10_000);
             Jedis n2 = new Jedis("127.0.0.1", basePort + 1, 10_000)) {
            for (int i = 0; i < 100; i++) {
                assertThat(n1.set("before" + i, "v" + i)).isEqualTo("OK");
            }
            List<?> reply = (List<?>) n2.sendCommand(() -> bytes("DKV.BACKUP"), backup.toString());
            assertThat(text(reply.get(0))).isEqualTo(backup.toString());

            String persistence = n2.info("persistence");
            assertThat(persistence).contains("loading:0", "aof_enabled:1", "dkv_storage:rocksdb", "dkv_sync:always",
                    "dkv_data_dir:" + dir.resolve("data").resolve("n2"), "dkv_last_backup_dir:" + backup,
                    "aof_last_write_status:ok", "dkv_restored_backup:0");
            assertThat(persistence).doesNotContain("dkv_last_backup_time:0\r\n");

            for (int i = 0; i < 100; i++) {
                assertThat(n1.set("after" + i, "w" + i)).isEqualTo("OK");
            }
            for (int i = 0; i < 10; i++) {
                assertThat(n1.del("before" + i)).isEqualTo(1);
            }
        }
        assertThat(backup.resolve("restored-backup")).exists();
        assertThat(backup.resolve("dkv-node.properties")).exists();
        assertThat(backup.resolve("rocksdb").resolve("CURRENT")).exists();

        Path data = dir.resolve("data").resolve("n2");
        cluster.stop(N2);
        deleteRecursively(data);
        copyRecursively(backup, data);

        NodeServer restored = cluster.restart(N2);
        assertThat(restored.startedRecovering()).as("a node on a restored backup starts recovering").isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> !restored.node().isRecovering());
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            for (int i = 0; i < 100; i++) {
                assertThat(value(restored, "after" + i)).as("after%d", i).isEqualTo("w" + i);
                assertThat(value(restored, "before" + i)).as("before%d", i).isEqualTo(i < 10 ? null : "v" + i);
            }
        });
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> !Files.exists(data.resolve("restored-backup")));

        cluster.stop(N2);
        NodeServer again = cluster.restart(N2);
        assertThat(again.startedRecovering()).as("after a clean stop under sync: always, once recovered").isFalse();
        assertThat(value(again, "after99")).isEqualTo("w99");
    }

    @Test
    void aBackupIsRefusedIntoANonEmptyOrRelativeDirectoryOrByAnInMemoryNode() throws IOException {
        int basePort = Ports.freeBasePort(1);
        cluster = LocalCluster.start(1, 1, basePort, settings -> settings
                .set("data-dir", dir.resolve("data").toString()).set("http-port", "0"));
        Path taken = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(taken.resolve("something"), "x");
        try (Jedis n1 = new Jedis("127.0.0.1", basePort, 10_000)) {
            assertThatThrownBy(() -> n1.sendCommand(() -> bytes("DKV.BACKUP"), taken.toString()))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("n1: cannot back up to " + taken + ": it exists and is not empty");
            assertThatThrownBy(() -> n1.sendCommand(() -> bytes("DKV.BACKUP"), "relative/dir"))
                    .hasMessageContaining("must be an absolute path on the node's machine");
            assertThatThrownBy(() -> n1.sendCommand(() -> bytes("DKV.BACKUP"), dir.resolve("data").resolve("inside").toString()))
                    .hasMessageContaining("must be outside the data directory");
            assertThatThrownBy(() -> n1.sendCommand(() -> bytes("DKV.BACKUP")))
                    .hasMessageContaining("wrong number of arguments");
            Path empty = Files.createDirectories(dir.resolve("empty"));
            n1.sendCommand(() -> bytes("DKV.BACKUP"), empty.toString());
            assertThat(empty.resolve("restored-backup")).exists();
        }
        cluster.close();

        cluster = LocalCluster.start(1, 1, basePort, settings -> settings.set("storage", "memory").set("http-port", "0"));
        try (Jedis n1 = new Jedis("127.0.0.1", basePort, 10_000)) {
            assertThatThrownBy(() -> n1.sendCommand(() -> bytes("DKV.BACKUP"), dir.resolve("memory").toString()))
                    .hasMessageContaining("keeps its data in memory");
            assertThat(n1.info("persistence")).contains("loading:0", "aof_enabled:0", "dkv_storage:memory")
                    .doesNotContain("dkv_data_dir");
        }
    }

    private static String value(NodeServer server, String key) {
        byte[] bytes = bytes(key);
        Entry entry = server.node().storage().get(server.node().status().ring().partitionOf(bytes), bytes);
        return entry == null || entry.isTombstone() ? null : new String(entry.value(), StandardCharsets.UTF_8);
    }

    private static String text(Object reply) {
        return new String((byte[]) reply, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void copyRecursively(Path from, Path to) {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
