package io.dkv.server.storage;

import io.dkv.server.config.StorageSettings;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
     * survives the process being killed. Writes never fsync themselves: WalSync does, on a
     * thread of its own. With sync ALWAYS a replica answers a write only after WalSync's next
     * fsync, which covers every write made before it from every event loop (group commit).
     * With sync PERIODIC WalSync fsyncs every interval when something was written, so a power
     * loss loses at most that interval.

     * Disk space: writes that add data are refused while less than four write buffers are
     * free (ensureSpace), before RocksDB meets ENOSPC; see currentWriteOptions for why.
     *
     * A data directory that is not writable (a file system remounted read-only after an I/O
     * error, an immutable directory): a probe file is created and deleted every second
     * (WritableCheck); while that fails every write is refused with an error naming the node
     * and the cause, before RocksDB fails a flush or log switch and stops writes until it is
     * reopened (RocksJava has no binding for DB::Resume). Reads go on. Once the probe succeeds
     * writes are taken again.
     *
     * Memory: reads go through one LRU block cache (index and filter blocks included, so
     * they are bounded too); writes fill memtables of write-buffer-bytes per column family,
     * at most two each, and db_write_buffer_size caps their sum. Nothing else grows with
     * the data, so a node serves far more data than its heap (RocksDB's memory is native).
     */

    private static final Logger log = LoggerFactory.getLogger(RocksDbStore.class);

    /** How often free disk space is checked. */
    static final long SPACE_CHECK_MILLIS = 100;
    /** How often the data directory is checked for being writable (and at once, while it is not). */
    static final long WRITABLE_CHECK_MILLIS = 1_000;

    static final String ENTRIES = "entries";
    static final String HINTS = "hints";

    static {
        RocksDB.loadLibrary();
    }

    private final StorageSettings settings;
    private final DataDirectory.Identity identity;
    private final DataDirectory directory;
    private final DBOptions options;
    private final List<ColumnFamilyDescriptor> families;
    /** The open database; replaced by {@link #reopenIfNeeded} under the gate's write lock. */
    private OpenDb open;
    private volatile boolean needsReopen;
    private final AtomicBoolean reopenQueued = new AtomicBoolean();
    private final AtomicLong reopens = new AtomicLong();
    private final WriteOptions writeOptions;
    private final WriteOptions failFastWriteOptions;
    private final List<AutoCloseable> resources;
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final ScheduledExecutorService background;
    private final long reserveBytes;
    private volatile long usableBytes = Long.MAX_VALUE;
    private volatile boolean closed;
    private final WalSync walSync;
    private final WritableCheck writable;
    private final AtomicBoolean backingUp = new AtomicBoolean();
    private volatile Backup lastBackup;
    private volatile String lastWriteFailure;
    private RocksDbStorageEngine engine;
    private RocksDbHintStore hintStore;

    /** The column families the engine and the hint store name; their handles change when the database is reopened. */
    enum Family {
        META, ENTRIES, HINTS
    }

    private RocksDbStore(StorageSettings settings, DataDirectory.Identity identity, DataDirectory directory, OpenDb open,
                         DBOptions options, List<ColumnFamilyDescriptor> families, WriteOptions writeOptions,
                         WriteOptions failFastWriteOptions, List<AutoCloseable> resources) {
        this.settings = settings;
        this.identity = identity;
        this.directory = directory;
        this.open = open;
        this.options = options;
        this.families = families;
        this.writeOptions = writeOptions;
        this.failFastWriteOptions = failFastWriteOptions;
        this.resources = resources;
        this.reserveBytes = 4 * settings.writeBufferBytes();
        this.writable = new WritableCheck(directory.rocksDbPath());
        this.background = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dkv-storage-" + identity.node());
            thread.setDaemon(true);
            return thread;
        });
        checkSpace();
        background.scheduleWithFixedDelay(this::checkSpace, SPACE_CHECK_MILLIS, SPACE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        writable.check();
        background.scheduleWithFixedDelay(() -> {
            if (writable.check() == null) {
                reopenIfNeeded();
            }
        }, WRITABLE_CHECK_MILLIS, WRITABLE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        this.walSync = new WalSync("dkv-wal-sync-" + identity.node(), new WalSync.Syncer() {
            @Override
            public long syncLog() {
                return syncWal();
            }

            @Override
            public long lastWritten() {
                return lastSequence();
            }
        }, settings.sync() == StorageSettings.Sync.ALWAYS, settings.syncIntervalMillis());
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
            WriteOptions writeOptions = track(resources, new WriteOptions());
            WriteOptions failFastWriteOptions = track(resources, new WriteOptions().setNoSlowdown(true));
            List<ColumnFamilyDescriptor> families = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, family),
                    new ColumnFamilyDescriptor(ENTRIES.getBytes(StandardCharsets.UTF_8), family),
                    new ColumnFamilyDescriptor(HINTS.getBytes(StandardCharsets.UTF_8), family));
            OpenDb open;
            try {
                open = OpenDb.open(options, directory.rocksDbPath(), families);
            } catch (RocksDBException e) {
                String message = String.valueOf(e.getMessage());
                throw new StorageException(message.contains("lock") || message.contains("LOCK")
                        ? "data directory " + settings.dataDir() + " is in use by another process (" + message + ")"
                        : "cannot open RocksDB in " + directory.rocksDbPath() + ": " + message, e);
            }
            RocksDbStore store = new RocksDbStore(settings, identity, directory, open, options, families, writeOptions,
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
            engine = new RocksDbStorageEngine(this, Family.ENTRIES, partitionCount, settings.diskLimitBytes());
        } else if (engine.partitionCount() != partitionCount) {
            throw new IllegalStateException("engine already open with " + engine.partitionCount() + " partitions");
        }
        return engine;
    }

    /** The hints this node keeps for others, created on first call. */
    public synchronized RocksDbHintStore hintStore(int maxHints, long maxBytes, ToIntFunction<byte[]> partitionOf) {
        if (hintStore == null) {
            hintStore = new RocksDbHintStore(this, Family.HINTS, maxHints, maxBytes, partitionOf);
        }
        return hintStore;
    }

    /*
     * The operations the engine and the hint store use. Each passes the gate, so none runs
     * on freed native handles.
     */

    byte[] get(Family family, byte[] key) {
        Lock lock = enter();
        try {
            return open.db().get(open.handle(family), key);
        } catch (RocksDBException e) {
            throw failure("read", e);
        } finally {
            lock.unlock();
        }
    }

    void put(Family family, byte[] key, byte[] value) {
        Lock lock = enter();
        try {
            ensureWritable();
            open.db().put(open.handle(family), currentWriteOptions(), key, value);
            lastWriteFailure = null;
        } catch (RocksDBException e) {
            throw writeFailure("write", e);
        } finally {
            lock.unlock();
        }
    }

    /** The values of {@code keys}, in order, null where absent: one call into RocksDB for all of them. */
    List<byte[]> multiGet(Family family, List<byte[]> keys) {
        Lock lock = enter();
        try {
            ColumnFamilyHandle handle = open.handle(family);
            List<ColumnFamilyHandle> handles = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                handles.add(handle);
            }
            return open.db().multiGetAsList(handles, keys);
        } catch (RocksDBException e) {
            throw failure("read", e);
        } finally {
            lock.unlock();
        }
    }

    /** Puts every pair with one write: one log record, all or nothing. */
    void putAll(Family family, List<byte[]> keys, List<byte[]> values) {
        Lock lock = enter();
        try (WriteBatch batch = new WriteBatch()) {
            ensureWritable();
            ColumnFamilyHandle handle = open.handle(family);
            for (int i = 0; i < keys.size(); i++) {
                batch.put(handle, keys.get(i), values.get(i));
            }
            open.db().write(currentWriteOptions(), batch);
            lastWriteFailure = null;
        } catch (RocksDBException e) {
            throw writeFailure("write", e);
        } finally {
            lock.unlock();
        }
    }

    /** Deletes every key with one write: one log record, all or nothing. */
    void deleteAll(Family family, List<byte[]> keys) {
        Lock lock = enter();
        try (WriteBatch batch = new WriteBatch()) {
            ensureWritable();
            ColumnFamilyHandle handle = open.handle(family);
            for (byte[] key : keys) {
                batch.delete(handle, key);
            }
            open.db().write(currentWriteOptions(), batch);
            lastWriteFailure = null;
        } catch (RocksDBException e) {
            throw writeFailure("delete", e);
        } finally {
            lock.unlock();
        }
    }

    void delete(Family family, byte[] key) {
        Lock lock = enter();
        try {
            ensureWritable();
            open.db().delete(open.handle(family), currentWriteOptions(), key);
            lastWriteFailure = null;
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
    void scan(Family family, byte[] lower, byte[] upper, ScanVisitor visitor) {
        Lock lock = enter();
        try (Slice lowerSlice = new Slice(lower);
             Slice upperSlice = upper == null ? null : new Slice(upper);
             ReadOptions read = new ReadOptions().setIterateLowerBound(lowerSlice).setFillCache(false)) {
            if (upperSlice != null) {
                read.setIterateUpperBound(upperSlice);
            }
            try (RocksIterator it = open.db().newIterator(open.handle(family), read)) {
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
            return open.db().getLongProperty(open.handle(Family.ENTRIES), "rocksdb.live-sst-files-size")
                    + open.db().getLongProperty(open.handle(Family.HINTS), "rocksdb.live-sst-files-size");
        } catch (RocksDBException e) {
            throw failure("read a property", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a backup into {@code dir} (absolute, on this machine; absent or empty): a RocksDB
     * checkpoint, taken while writes go on, plus the identity file, the clock lease and the
     * restored-backup marker ({@link BackupWriter}). One at a time.
     */
    public Backup backup(Path dir, long nowMillis) {
        if (!backingUp.compareAndSet(false, true)) {
            throw new StorageException(identity.node() + ": a backup is already being taken; try again when it is done");
        }
        try {
            Lock lock = enter();
            try {
                Backup backup = BackupWriter.write(open.db(), directory, identity.node(), dir, nowMillis);
                lastBackup = backup;
                log.info("storage: {} backed up to {} in {} ms", identity.node(), backup.dir(), backup.durationMillis());
                return backup;
            } finally {
                lock.unlock();
            }
        } finally {
            backingUp.set(false);
        }
    }

    /** The last backup this process took, or null. */
    public Backup lastBackup() {
        return lastBackup;
    }

    public boolean backupInProgress() {
        return backingUp.get();
    }

    /**
     * Why writes are failing, or null while they succeed: the data directory is not writable,
     * or the last write failed.
     */
    public String writeProblem() {
        String problem = writable.lastProblem();
        return problem != null ? "data directory not writable: " + problem : lastWriteFailure;
    }

    /**
     * Completes once every write made before this call is as durable as the sync setting
     * promises an acknowledged write is: fsynced with sync ALWAYS, at once with PERIODIC.
     */
    public CompletableFuture<Void> whenDurable() {
        return walSync.whenDurable();
    }

    /** Fsyncs the write-ahead log; returns the sequence number now durable, or -1 once closed. */
    private long syncWal() {
        Lock lock = gate.readLock();
        lock.lock();
        try {
            if (closed) {
                return -1;
            }
            if (open == null) {
                throw new StorageException(identity.node() + ": cannot sync the write-ahead log: storage in "
                        + directory.root() + " is being reopened after an error (" + lastWriteFailure + ")");
            }
            long sequence = open.db().getLatestSequenceNumber();
            open.db().flushWal(true);
            return sequence;
        } catch (RocksDBException e) {
            lastWriteFailure = "sync the write-ahead log: " + e.getMessage();
            needsReopen = true;
            log.error("storage: cannot sync the write-ahead log in {}: {}", directory.rocksDbPath(), e.getMessage());
            throw failure("sync the write-ahead log", e);
        } finally {
            lock.unlock();
        }
    }

    /** The sequence number of the last write, or -1 while the database is closed or being reopened. */
    private long lastSequence() {
        Lock lock = gate.readLock();
        lock.lock();
        try {
            return closed || open == null ? -1 : open.db().getLatestSequenceNumber();
        } finally {
            lock.unlock();
        }
    }

    /** Flushes the memtables to SST files now, as RocksDB does in the background when they fill. */
    void flushMemtables() {
        Lock lock = enter();
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            open.db().flush(flush, open.handles());
        } catch (RocksDBException e) {
            throw writeFailure("flush", e);
        } finally {
            lock.unlock();
        }
    }

    /** How many times the database was reopened after a write error. */
    long reopens() {
        return reopens.get();
    }

    /** How many times the write-ahead log has been fsynced (for either sync setting). */
    long walSyncs() {
        return walSync.syncs();
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
        walSync.close();
        Lock lock = gate.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            boolean clean = open != null && !needsReopen;
            if (open != null) {
                try {
                    if (engine != null) {
                        engine.saveCounters();
                    }
                    open.db().flushWal(true);
                } catch (RocksDBException | RuntimeException e) {
                    clean = false;
                    log.error("storage: closing {} without a final sync: {}", directory.rocksDbPath(), e.getMessage());
                }
                clean &= open.close();
                open = null;
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
    void putWhileClosing(Family family, byte[] key, byte[] value) throws RocksDBException {
        open.db().put(open.handle(family), writeOptions, key, value);
    }

    /** Reads {@code key} of the bookkeeping column family. */
    byte[] getMeta(byte[] key) {
        return get(Family.META, key);
    }

    void deleteMeta(byte[] key) {
        delete(Family.META, key);
    }

    private Lock enter() {
        Lock lock = gate.readLock();
        lock.lock();
        if (closed) {
            lock.unlock();
            throw new StorageException(identity.node() + ": storage in " + directory.root() + " is closed");
        }
        if (open == null) {
            lock.unlock();
            queueReopen();
            throw new StorageException(identity.node() + ": storage in " + directory.root() + " is being reopened after"
                    + " an error (" + lastWriteFailure + "); try again");
        }
        return lock;
    }

    /**
     * Reopens the database after a write failed inside RocksDB, once the data directory is
     * writable: after an I/O error in a flush, log switch or log write RocksDB refuses every
     * later write with that error until DB::Resume, which RocksJava does not offer, or a
     * reopen. Reopening replays the write-ahead log, so nothing acknowledged is lost. Runs on
     * the background thread; holds the gate's write lock, so reads and writes wait meanwhile.
     */
    private void reopenIfNeeded() {
        reopenQueued.set(false);
        if (!needsReopen || closed || writable.check() != null) {
            return;
        }
        Lock lock = gate.writeLock();
        lock.lock();
        try {
            if (closed || !needsReopen) {
                return;
            }
            if (open != null) {
                open.close();
                open = null;
            }
            open = OpenDb.open(options, directory.rocksDbPath(), families);
            walSync.reset(open.db().getLatestSequenceNumber());
            needsReopen = false;
            lastWriteFailure = null;
            reopens.incrementAndGet();
            log.info("storage: {} reopened RocksDB in {} after a write error; writes are taken again", identity.node(),
                    directory.rocksDbPath());
        } catch (RocksDBException e) {
            lastWriteFailure = "reopen: " + e.getMessage();
            log.error("storage: {} cannot reopen RocksDB in {}: {}; serving reads from it read-only, tried again every"
                    + " {} ms", identity.node(), directory.rocksDbPath(), e.getMessage(), WRITABLE_CHECK_MILLIS);
            try {
                open = OpenDb.openReadOnly(options, directory.rocksDbPath(), families);
            } catch (RocksDBException readOnly) {
                log.error("storage: {} cannot open RocksDB in {} even read-only: {}", identity.node(),
                        directory.rocksDbPath(), readOnly.getMessage());
            }
        } finally {
            lock.unlock();
        }
    }

    /** Has the background thread try {@link #reopenIfNeeded} soon (once, however many writers ask). */
    private void queueReopen() {
        if (needsReopen && !closed && reopenQueued.compareAndSet(false, true)) {
            try {
                background.execute(this::reopenIfNeeded);
            } catch (RuntimeException e) {
                reopenQueued.set(false);
            }
        }
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

    /**
     * Refuses every write while the last probe found the data directory not writable,
     * probing again first (so writes resume as soon as it is writable).
     */
    private void ensureWritable() {
        if (writable.lastProblem() != null) {
            String problem = writable.recheck();
            if (problem != null) {
                throw new StorageException(identity.node() + ": data directory " + directory.root()
                        + " is not writable (" + problem + "); writes are refused until it is, reads go on");
            }
        }
        if (needsReopen) {
            queueReopen();
            throw new StorageException(identity.node() + ": storage in " + directory.root() + " stopped taking writes"
                    + " after an error (" + lastWriteFailure + "); it is reopened once its data directory is writable,"
                    + " reads go on");
        }
    }

    private StorageException writeFailure(String what, RocksDBException e) {
        lastWriteFailure = what + ": " + e.getMessage();
        if (needsReopenAfter(e)) {
            needsReopen = true;
            queueReopen();
        }
        if (e.getStatus() != null && e.getStatus().getCode() == Status.Code.Incomplete) {
            return new StorageException(identity.node() + ": storage in " + directory.root() + ": cannot " + what
                    + ": writes are stalled, " + checkSpace() + " bytes free on its disk; they resume when space is"
                    + " freed or compaction catches up", e);
        }
        return failure(what, e);
    }

    /**
     * Whether a failed write leaves RocksDB refusing writes until it is reopened: not a stall
     * (Incomplete, from no_slowdown), and not a full disk, from which RocksDB recovers by
     * itself once space is freed (its error handler retries the flush).
     */
    private static boolean needsReopenAfter(RocksDBException e) {
        Status status = e.getStatus();
        if (status == null) {
            return true;
        }
        return status.getCode() != Status.Code.Incomplete && status.getSubCode() != Status.SubCode.NoSpace;
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
