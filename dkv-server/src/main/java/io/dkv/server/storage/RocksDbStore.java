package io.dkv.server.storage;

import io.dkv.server.config.StorageSettings;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Status;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.ToIntFunction;

/**
 * One node's RocksDB instance in its {@link DataDirectory}: the column family {@code entries}
 * behind {@link RocksDbStorageEngine}, {@code hints} behind {@link RocksDbHintStore}, and
 * {@code default} for the store's own bookkeeping.
 *
 * <p>Thread-safe. Every read and write passes a read lock that {@link #close} takes for
 * writing, so nothing touches the native handles after they are freed (RocksJava would crash
 * the process rather than throw).
 */
public final class RocksDbStore implements AutoCloseable {

    /*
     * Durability: every write goes through RocksDB's write-ahead log, which RocksDB hands to
     * the operating system (write(2)) before the write returns, so a write that was answered
     * survives the process being killed. With sync ALWAYS the log is fsynced before the write
     * returns; RocksDB's write path batches writers that arrive together from different
     * threads into one log write and one fsync (group commit), but the writes of one event
     * loop come one after another, each waiting for its own fsync. With sync PERIODIC a background thread fsyncs the log every
     * interval when something was written, so a power loss loses at most that interval.
     *
     * Disk space: writes that add data are refused while less than four write buffers are
     * free (ensureSpace), before RocksDB meets ENOSPC; see currentWriteOptions for why.
     *
     * Memory: reads go through one LRU block cache (index and filter blocks included, so
     * they are bounded too); writes fill memtables of write-buffer-bytes per column family,
     * at most two each, and db_write_buffer_size caps their sum. Nothing else grows with
     * the data, so a node serves far more data than its heap (RocksDB's memory is native).
     */

    private static final Logger log = LoggerFactory.getLogger(RocksDbStore.class);

    /** How often free disk space is checked. */
    static final long SPACE_CHECK_MILLIS = 100;

    static final String ENTRIES = "entries";
    static final String HINTS = "hints";

    static {
        RocksDB.loadLibrary();
    }

    private final StorageSettings settings;
    private final DataDirectory.Identity identity;
    private final DataDirectory directory;
    private final RocksDB db;
    private final ColumnFamilyHandle meta;
    private final ColumnFamilyHandle entries;
    private final ColumnFamilyHandle hints;
    private final WriteOptions writeOptions;
    private final WriteOptions failFastWriteOptions;
    private final List<AutoCloseable> resources;
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final ScheduledExecutorService background;
    private final long reserveBytes;
    private volatile long usableBytes = Long.MAX_VALUE;
    private volatile boolean closed;
    private long syncedSequence;
    private final AtomicLong walSyncs = new AtomicLong();
    private RocksDbStorageEngine engine;
    private RocksDbHintStore hintStore;

    private RocksDbStore(StorageSettings settings, DataDirectory.Identity identity, DataDirectory directory, RocksDB db,
                         List<ColumnFamilyHandle> handles, WriteOptions writeOptions, WriteOptions failFastWriteOptions,
                         List<AutoCloseable> resources) {
        this.settings = settings;
        this.identity = identity;
        this.directory = directory;
        this.db = db;
        this.meta = handles.get(0);
        this.entries = handles.get(1);
        this.hints = handles.get(2);
        this.writeOptions = writeOptions;
        this.failFastWriteOptions = failFastWriteOptions;
        this.resources = resources;
        this.syncedSequence = db.getLatestSequenceNumber();
        this.reserveBytes = 4 * settings.writeBufferBytes();
        this.background = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dkv-storage-" + identity.node());
            thread.setDaemon(true);
            return thread;
        });
        checkSpace();
        background.scheduleWithFixedDelay(this::checkSpace, SPACE_CHECK_MILLIS, SPACE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        if (settings.sync() == StorageSettings.Sync.PERIODIC) {
            background.scheduleWithFixedDelay(this::syncWal, settings.syncIntervalMillis(), settings.syncIntervalMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Opens the data directory in {@code settings} for {@code identity}, creating it when
     * absent; refuses a directory of another node or cluster, or one in use.
     */
    public static RocksDbStore open(StorageSettings settings, DataDirectory.Identity identity) {
        if (!settings.durable()) {
            throw new IllegalArgumentException("storage is " + settings.kind() + ", not rocksdb");
        }
        DataDirectory directory = DataDirectory.open(settings.dataDir(), identity);
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            Cache cache = track(resources, new LRUCache(settings.blockCacheBytes()));
            BloomFilter bloom = track(resources, new BloomFilter(10, false));
            BlockBasedTableConfig table = new BlockBasedTableConfig()
                    .setBlockCache(cache)
                    .setFilterPolicy(bloom)
                    .setCacheIndexAndFilterBlocks(true)
                    .setPinL0FilterAndIndexBlocksInCache(true)
                    .setBlockSize(16 * 1024);
            ColumnFamilyOptions family = track(resources, new ColumnFamilyOptions()
                    .setTableFormatConfig(table)
                    .setWriteBufferSize(settings.writeBufferBytes())
                    .setMaxWriteBufferNumber(2)
                    .setLevelCompactionDynamicLevelBytes(true));
            DBOptions options = track(resources, new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setDbWriteBufferSize(2 * settings.writeBufferBytes())
                    .setMaxTotalWalSize(4 * settings.writeBufferBytes())
                    .setMaxBackgroundJobs(2)
                    .setKeepLogFileNum(3));
            WriteOptions writeOptions = track(resources, new WriteOptions()
                    .setSync(settings.sync() == StorageSettings.Sync.ALWAYS));
            WriteOptions failFastWriteOptions = track(resources, new WriteOptions()
                    .setSync(settings.sync() == StorageSettings.Sync.ALWAYS)
                    .setNoSlowdown(true));
            List<ColumnFamilyDescriptor> families = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, family),
                    new ColumnFamilyDescriptor(ENTRIES.getBytes(StandardCharsets.UTF_8), family),
                    new ColumnFamilyDescriptor(HINTS.getBytes(StandardCharsets.UTF_8), family));
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db;
            try {
                db = RocksDB.open(options, directory.rocksDbPath().toString(), families, handles);
            } catch (RocksDBException e) {
                String message = String.valueOf(e.getMessage());
                throw new StorageException(message.contains("lock") || message.contains("LOCK")
                        ? "data directory " + settings.dataDir() + " is in use by another process (" + message + ")"
                        : "cannot open RocksDB in " + directory.rocksDbPath() + ": " + message, e);
            }
            RocksDbStore store = new RocksDbStore(settings, identity, directory, db, handles, writeOptions,
                    failFastWriteOptions, resources);
            log.info("storage: {}; {}", settings.describe(), directory.isNew() ? "new directory"
                    : "existing directory, previous shutdown " + (directory.wasCleanShutdown() ? "clean" : "not clean"));
            return store;
        } catch (RuntimeException e) {
            closeAll(resources);
            directory.close();
            throw e;
        }
    }

    public DataDirectory directory() {
        return directory;
    }

    public StorageSettings settings() {
        return settings;
    }

    /** The entries of this node, created on first call; its {@code close} closes this store. */
    public synchronized RocksDbStorageEngine storageEngine(int partitionCount) {
        if (engine == null) {
            engine = new RocksDbStorageEngine(this, entries, partitionCount, settings.diskLimitBytes());
        } else if (engine.partitionCount() != partitionCount) {
            throw new IllegalStateException("engine already open with " + engine.partitionCount() + " partitions");
        }
        return engine;
    }

    /** The hints this node keeps for others, created on first call. */
    public synchronized RocksDbHintStore hintStore(int maxHints, long maxBytes, ToIntFunction<byte[]> partitionOf) {
        if (hintStore == null) {
            hintStore = new RocksDbHintStore(this, hints, maxHints, maxBytes, partitionOf);
        }
        return hintStore;
    }

    /*
     * The operations the engine and the hint store use. Each passes the gate, so none runs
     * on freed native handles.
     */

    byte[] get(ColumnFamilyHandle family, byte[] key) {
        Lock lock = enter();
        try {
            return db.get(family, key);
        } catch (RocksDBException e) {
            throw failure("read", e);
        } finally {
            lock.unlock();
        }
    }

    void put(ColumnFamilyHandle family, byte[] key, byte[] value) {
        Lock lock = enter();
        try {
            db.put(family, currentWriteOptions(), key, value);
        } catch (RocksDBException e) {
            throw writeFailure("write", e);
        } finally {
            lock.unlock();
        }
    }

    void delete(ColumnFamilyHandle family, byte[] key) {
        Lock lock = enter();
        try {
            db.delete(family, currentWriteOptions(), key);
        } catch (RocksDBException e) {
            throw writeFailure("delete", e);
        } finally {
            lock.unlock();
        }
    }

    /** Receives the key-value pairs of a {@link #scan}; returns false to stop. */
    @FunctionalInterface
    interface ScanVisitor {
        boolean visit(byte[] key, byte[] value);
    }

    /**
     * Visits the pairs with {@code lower <= key < upper} in key order, on an implicit
     * snapshot taken when the scan starts ({@code upper} null: to the end).
     */
    void scan(ColumnFamilyHandle family, byte[] lower, byte[] upper, ScanVisitor visitor) {
        Lock lock = enter();
        try (Slice lowerSlice = new Slice(lower);
             Slice upperSlice = upper == null ? null : new Slice(upper);
             ReadOptions read = new ReadOptions().setIterateLowerBound(lowerSlice).setFillCache(false)) {
            if (upperSlice != null) {
                read.setIterateUpperBound(upperSlice);
            }
            try (RocksIterator it = db.newIterator(family, read)) {
                for (it.seek(lower); it.isValid(); it.next()) {
                    if (!visitor.visit(it.key(), it.value())) {
                        return;
                    }
                }
                it.status();
            }
        } catch (RocksDBException e) {
            throw failure("scan", e);
        } finally {
            lock.unlock();
        }
    }

    /** Bytes RocksDB holds on disk (live SST files plus the log), for metrics. */
    public long diskBytes() {
        Lock lock = enter();
        try {
            return db.getLongProperty(entries, "rocksdb.live-sst-files-size")
                    + db.getLongProperty(hints, "rocksdb.live-sst-files-size");
        } catch (RocksDBException e) {
            throw failure("read a property", e);
        } finally {
            lock.unlock();
        }
    }

    /** Fsyncs the write-ahead log now if anything was written since the last sync. */
    void syncWal() {
        Lock lock = gate.readLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long sequence = db.getLatestSequenceNumber();
            if (sequence != syncedSequence) {
                db.flushWal(true);
                syncedSequence = sequence;
                walSyncs.incrementAndGet();
            }
        } catch (RocksDBException e) {
            log.error("storage: cannot sync the write-ahead log in {}: {}", directory.rocksDbPath(), e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /** How many times the periodic sync has fsynced the write-ahead log. */
    long walSyncs() {
        return walSyncs.get();
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Syncs and closes the database, then records a clean shutdown in the data directory and
     * releases it. Idempotent. Operations that come later fail with {@link StorageException}.
     */
    @Override
    public void close() {
        background.shutdownNow();
        Lock lock = gate.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            boolean clean = true;
            try {
                if (engine != null) {
                    engine.saveCounters(meta);
                }
                db.flushWal(true);
            } catch (RocksDBException | RuntimeException e) {
                clean = false;
                log.error("storage: closing {} without a final sync: {}", directory.rocksDbPath(), e.getMessage());
            }
            meta.close();
            entries.close();
            hints.close();
            try {
                db.closeE();
            } catch (RocksDBException e) {
                clean = false;
                log.error("storage: closing {}: {}", directory.rocksDbPath(), e.getMessage());
            }
            closeAll(resources);
            if (clean) {
                directory.markCleanShutdown();
            }
        } finally {
            directory.close();
            lock.unlock();
        }
    }

    /** Writes on the open database, bypassing the gate: only for {@link #close} while it holds it. */
    void putWhileClosing(ColumnFamilyHandle family, byte[] key, byte[] value) throws RocksDBException {
        db.put(family, writeOptions, key, value);
    }

    /** Reads {@code key} of the bookkeeping column family. */
    byte[] getMeta(byte[] key) {
        return get(meta, key);
    }

    void deleteMeta(byte[] key) {
        delete(meta, key);
    }

    private Lock enter() {
        Lock lock = gate.readLock();
        lock.lock();
        if (closed) {
            lock.unlock();
            throw new StorageException(identity.node() + ": storage in " + directory.root() + " is closed");
        }
        return lock;
    }

    /**
     * Refuses a write that adds data while the disk has less than the reserve free: four
     * write buffers, what the memtables need to flush (and a small compaction). Stopping
     * there, before RocksDB meets ENOSPC, matters because RocksDB then stops writes until
     * its automatic recovery succeeds, and a stopped write would block an event loop.
     * Checked every {@link #SPACE_CHECK_MILLIS} ms, and at once while low, so writes resume
     * as soon as space is freed.
     */
    void ensureSpace() {
        if (usableBytes < reserveBytes && checkSpace() < reserveBytes) {
            throw new StorageException(identity.node() + ": disk nearly full: data directory " + directory.root()
                    + " has " + usableBytes + " bytes free, below the " + reserveBytes
                    + " kept for flushes and compactions; writes that add data are refused until space is freed");
        }
    }

    /**
     * Normally a write may wait inside RocksDB (a short delay while compaction catches up).
     * Near a full disk it must not: after ENOSPC in a flush or compaction RocksDB stops
     * writes until its recovery succeeds, which it cannot while the disk stays full, and the
     * waiting write would block its event loop for good. There writes fail at once instead.
     */
    private WriteOptions currentWriteOptions() {
        return usableBytes < 2 * reserveBytes ? failFastWriteOptions : writeOptions;
    }

    private StorageException writeFailure(String what, RocksDBException e) {
        if (e.getStatus() != null && e.getStatus().getCode() == Status.Code.Incomplete) {
            return new StorageException(identity.node() + ": storage in " + directory.root() + ": cannot " + what
                    + ": writes are stalled, " + checkSpace() + " bytes free on its disk; they resume when space is"
                    + " freed or compaction catches up", e);
        }
        return failure(what, e);
    }

    /** Reads the free space of the data directory's disk. */
    private long checkSpace() {
        try {
            usableBytes = Files.getFileStore(directory.root()).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            usableBytes = Long.MAX_VALUE;
        }
        return usableBytes;
    }

    private StorageException failure(String what, RocksDBException e) {
        return new StorageException(identity.node() + ": storage in " + directory.root() + ": cannot " + what + ": "
                + e.getMessage(), e);
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> resources, T resource) {
        resources.add(resource);
        return resource;
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                // Native memory is freed anyway when the process ends.
            }
        }
    }
}
