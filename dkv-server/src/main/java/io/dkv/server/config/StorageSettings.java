package io.dkv.server.config;

import io.dkv.core.InvalidConfigException;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Where and how a node keeps its data.
 *
 * @param kind               in memory, or durable in RocksDB
 * @param dataDir            the node's data directory (required for RocksDB; null for memory)
 * @param sync               when the write-ahead log is fsynced
 * @param syncIntervalMillis with {@link Sync#PERIODIC}: how often
 * @param blockCacheBytes    RocksDB's block cache (reads); bounds the memory reads use
 * @param writeBufferBytes   RocksDB's memtable size per column family (writes)
 * @param diskLimitBytes     growing writes past this many stored bytes are refused (0: no limit)
 */
public record StorageSettings(Kind kind, Path dataDir, Sync sync, long syncIntervalMillis, long blockCacheBytes,
                              long writeBufferBytes, long diskLimitBytes) {

    public static final long DEFAULT_SYNC_INTERVAL_MILLIS = 100;
    public static final long DEFAULT_BLOCK_CACHE_BYTES = 64L << 20;
    public static final long DEFAULT_WRITE_BUFFER_BYTES = 32L << 20;

    /** Which engine stores the node's entries and hints. */
    public enum Kind {
        MEMORY, ROCKSDB;

        static Kind parse(String name, String value) {
            return StorageSettings.parse(Kind.class, name, value);
        }
    }

    /**
     * When a write is made durable. Both log a write (RocksDB's write-ahead log, written to
     * the operating system) before it is acknowledged, so a killed process loses nothing.
     * {@code PERIODIC} fsyncs the log every interval: a power loss or kernel crash loses at
     * most the last interval. {@code ALWAYS} fsyncs before acknowledging: a power loss loses
     * nothing acknowledged; one fsync answers every write waiting for it (group commit), so
     * concurrent writers share the cost.
     */
    public enum Sync {
        PERIODIC, ALWAYS;

        static Sync parse(String name, String value) {
            return StorageSettings.parse(Sync.class, name, value);
        }
    }

    public StorageSettings {
        Objects.requireNonNull(kind, "storage");
        Objects.requireNonNull(sync, "sync");
        if (kind == Kind.ROCKSDB && dataDir == null) {
            throw new InvalidConfigException("storage (rocksdb) needs a data-dir");
        }
        if (syncIntervalMillis < 1) {
            throw new InvalidConfigException("sync-interval-ms (" + syncIntervalMillis + ") must be at least 1");
        }
        if (blockCacheBytes < 1 << 20) {
            throw new InvalidConfigException("block-cache-bytes (" + blockCacheBytes + ") must be at least 1 MiB");
        }
        if (writeBufferBytes < 1 << 20) {
            throw new InvalidConfigException("write-buffer-bytes (" + writeBufferBytes + ") must be at least 1 MiB");
        }
        if (diskLimitBytes < 0) {
            throw new InvalidConfigException("disk-limit-bytes (" + diskLimitBytes + ") must not be negative");
        }
    }

    /** In memory, with the default RocksDB settings kept for a later switch. */
    public static StorageSettings memory() {
        return new StorageSettings(Kind.MEMORY, null, Sync.PERIODIC, DEFAULT_SYNC_INTERVAL_MILLIS,
                DEFAULT_BLOCK_CACHE_BYTES, DEFAULT_WRITE_BUFFER_BYTES, 0);
    }

    /** RocksDB in {@code dataDir} with the defaults. */
    public static StorageSettings rocksDb(Path dataDir) {
        return new StorageSettings(Kind.ROCKSDB, dataDir, Sync.PERIODIC, DEFAULT_SYNC_INTERVAL_MILLIS,
                DEFAULT_BLOCK_CACHE_BYTES, DEFAULT_WRITE_BUFFER_BYTES, 0);
    }

    public boolean durable() {
        return kind == Kind.ROCKSDB;
    }

    /** One line for the start-up log and {@code dkv local}: what keeps the data, and where. */
    public String describe() {
        return durable()
                ? "RocksDB in " + dataDir + " (sync " + sync.name().toLowerCase(Locale.ROOT)
                        + (sync == Sync.PERIODIC ? " every " + syncIntervalMillis + " ms" : "") + ")"
                : "in memory (lost when the node stops)";
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String name, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder known = new StringBuilder();
            for (E constant : type.getEnumConstants()) {
                known.append(known.length() == 0 ? "" : " or ").append(constant.name().toLowerCase(Locale.ROOT));
            }
            throw new InvalidConfigException(name + ": expected " + known + ", got '" + value + "'");
        }
    }
}
