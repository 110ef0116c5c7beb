package io.dkv.server.storage;

import io.dkv.core.NodeId;
import org.rocksdb.Checkpoint;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Writes a backup of an open data directory into an empty directory: a RocksDB checkpoint
 * of every column family, copies of the identity file and the clock lease, and the
 * {@value DataDirectory#RESTORED_BACKUP_FILE} marker. The result is a data directory: copied
 * back as a node's {@code data-dir}, the node opens it and recovers (the marker says its
 * data may be older than its peers').
 *
 * <p>Not thread-safe; {@link RocksDbStore#backup} runs one at a time.
 */
final class BackupWriter {

    /*
     * Consistency: RocksDB's Checkpoint flushes the memtables and then hard-links the live
     * SST files (copies them when the target is on another file system) and copies the
     * manifest, with file deletions disabled meanwhile, so the checkpoint is the database at
     * one sequence number, across all column families, while writes go on. The identity
     * file never changes after creation. The clock lease is copied after the checkpoint, so
     * it is at least as high as every stamp in the checkpoint; it may be torn if the clock
     * extends it at that moment, and ClockLeaseFile then uses the other of its two files.
     * The FLUSHALL mark goes the same way: copied after the checkpoint, it is at least the
     * mark that hid what the checkpoint lacks.
     */

    private static final List<String> DIRECTORY_FILES =
            List.of(DataDirectory.IDENTITY_FILE, ClockLeaseFile.NAME_A, ClockLeaseFile.NAME_B,
                    TruncationMarkFile.NAME_A, TruncationMarkFile.NAME_B);

    private BackupWriter() {
    }

    static Backup write(RocksDB db, DataDirectory directory, NodeId node, Path target, long nowMillis) {
        Path dir = checkTarget(directory, node, target);
        long started = System.nanoTime();
        boolean created = !Files.exists(dir);
        try {
            Files.createDirectories(dir);
            try (Checkpoint checkpoint = Checkpoint.create(db)) {
                checkpoint.createCheckpoint(dir.resolve(directory.root().relativize(directory.rocksDbPath())).toString());
            }
            for (String name : DIRECTORY_FILES) {
                Path source = directory.root().resolve(name);
                if (Files.exists(source)) {
                    Files.copy(source, dir.resolve(name));
                    force(dir.resolve(name));
                }
            }
            writeMarker(dir, node, directory.root(), nowMillis);
            DataDirectory.syncDirectory(dir);
        } catch (RocksDBException | IOException | UncheckedIOException e) {
            removeQuietly(dir, created);
            throw new StorageException(node + ": cannot back up " + directory.root() + " to " + dir + ": "
                    + e.getMessage(), e);
        }
        return new Backup(dir, nowMillis, (System.nanoTime() - started) / 1_000_000);
    }

    /** The target as an absolute, normalized path, or a clear refusal. */
    private static Path checkTarget(DataDirectory directory, NodeId node, Path target) {
        if (!target.isAbsolute()) {
            throw new StorageException(node + ": the backup directory must be an absolute path on the node's machine,"
                    + " not '" + target + "'");
        }
        Path dir = target.normalize();
        Path data = directory.root().toAbsolutePath().normalize();
        if (dir.startsWith(data) || data.startsWith(dir)) {
            throw new StorageException(node + ": the backup directory " + dir + " must be outside the data directory "
                    + data);
        }
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new StorageException(node + ": cannot back up to " + dir + ": it exists and is not a directory");
            }
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new StorageException(node + ": cannot back up to " + dir
                            + ": it exists and is not empty; choose a new or empty directory");
                }
            } catch (IOException e) {
                throw new StorageException(node + ": cannot back up to " + dir + ": " + e, e);
            }
        }
        return dir;
    }

    private static void writeMarker(Path dir, NodeId node, Path from, long nowMillis) throws IOException {
        Properties marker = new Properties();
        marker.setProperty("node", node.toString());
        marker.setProperty("taken-at", Instant.ofEpochMilli(nowMillis).toString());
        marker.setProperty("taken-at-millis", String.valueOf(nowMillis));
        marker.setProperty("from", from.toAbsolutePath().toString());
        Path file = dir.resolve(DataDirectory.RESTORED_BACKUP_FILE);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            marker.store(out, "dkv backup: a node started on this directory recovers before it votes;"
                    + " it removes this file once it has");
        }
        force(file);
    }

    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Removes a failed backup: the directory if this backup created it, else only what it put there. */
    private static void removeQuietly(Path dir, boolean created) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder())
                    .filter(path -> created || !path.equals(dir))
                    .forEach(path -> {
                        try {
                            Files.deleteIfExists(path);
                        } catch (IOException e) {
                            // Best effort: the error that made the backup fail is the one to report.
                        }
                    });
        } catch (IOException | UncheckedIOException e) {
            // As above.
        }
    }
}
