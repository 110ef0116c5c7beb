package io.dkv.server.storage;

import io.dkv.core.NodeId;
import io.dkv.server.config.StorageSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/** Opening stores in test folders, and copying a live data directory as a crash would leave it. */
final class RocksDbTestSupport {

    static final DataDirectory.Identity N1 = new DataDirectory.Identity(NodeId.of(1), "test cluster");

    private RocksDbTestSupport() {
    }

    /** Small memory settings, periodic sync. */
    static StorageSettings settings(Path dir) {
        return new StorageSettings(StorageSettings.Kind.ROCKSDB, dir, StorageSettings.Sync.PERIODIC, 50,
                8L << 20, 4L << 20, 0);
    }

    static StorageSettings settings(Path dir, StorageSettings.Sync sync, long diskLimitBytes) {
        return new StorageSettings(StorageSettings.Kind.ROCKSDB, dir, sync, 50, 8L << 20, 4L << 20, diskLimitBytes);
    }

    static RocksDbStore open(Path dir) {
        return RocksDbStore.open(settings(dir), N1);
    }

    /**
     * Copies the files of a data directory that is open in this process: what a machine's
     * disk holds if the process is killed at this moment (writes reach the operating system
     * before they are acknowledged). The lock file is left behind.
     */
    static void copyAsAfterAKill(Path from, Path to) {
        try {
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(to.resolve(from.relativize(dir)));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String name = file.getFileName().toString();
                    if (!name.equals(DataDirectory.LOCK_FILE) && !name.equals("LOCK")) {
                        Files.copy(file, to.resolve(from.relativize(file)));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
