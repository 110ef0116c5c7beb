package io.dkv.server.storage;

import io.dkv.server.config.StorageSettings;

import java.nio.file.Path;

/**
 * The narrow view of a node's storage that its client port uses: how it keeps data
 * ({@code INFO persistence}) and backups ({@code DKV.BACKUP}). Implementations are thread-safe.
 */
public interface Persistence {

    /** How the node keeps its data now. */
    Status status();

    /**
     * Takes a consistent backup of the node's data into {@code dir}, a directory on the
     * node's machine. MUST refuse (with {@link StorageException}) a relative path, a
     * directory that exists and is not empty, and a node that keeps its data in memory.
     */
    Backup backup(Path dir, long nowMillis);

    /**
     * @param kind             memory or RocksDB
     * @param sync             when the write-ahead log is fsynced (RocksDB)
     * @param dataDir          the data directory, null in memory
     * @param lastBackup       the last backup this process took, null if none
     * @param backupInProgress whether a backup is being taken
     * @param writeProblem     why writes are failing, null while they succeed
     * @param restoredBackup   whether the node runs on a restored backup and has not finished recovering
     */
    record Status(StorageSettings.Kind kind, StorageSettings.Sync sync, Path dataDir, Backup lastBackup,
                  boolean backupInProgress, String writeProblem, boolean restoredBackup) {
    }
}
