package io.dkv.server.storage;

import io.dkv.core.NodeId;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * A node's data directory: whose data it is, who is using it, and whether it was closed
 * cleanly.
 *
 * <pre>
 *   dkv-node.properties   node id, cluster, layout version; written when the directory is new
 *   dkv.lock              held locked (and holding the pid) while a process uses the directory
 *   clean-shutdown        present only between a clean close and the next open
 *   restored-backup       written into a backup; present while a node started on it has not
 *                         finished recovering (its data is older than its peers')
 *   clock-lease-a, -b     the clock's high-water mark ({@link ClockLeaseFile})
 *   truncation-mark-a, -b the newest FLUSHALL mark the node took ({@link TruncationMarkFile})
 *   rocksdb/              the RocksDB files
 * </pre>
 *
 * Opening refuses a directory that belongs to another node or cluster, one written with a
 * newer layout, and one another process holds. Not thread-safe: one owner opens and closes it.
 */
public final class DataDirectory implements AutoCloseable {

    static final String IDENTITY_FILE = "dkv-node.properties";
    static final String LOCK_FILE = "dkv.lock";
    static final String CLEAN_SHUTDOWN_FILE = "clean-shutdown";
    static final String RESTORED_BACKUP_FILE = "restored-backup";
    /** The on-disk layout this code writes and reads: {@link KeyLayout}, {@link EntryCodec}, the column families. */
    static final int LAYOUT_VERSION = 1;

    /**
     * Who a data directory belongs to.
     *
     * @param node    the node's id
     * @param cluster a description of the cluster that must match on every start (its shape)
     */
    public record Identity(NodeId node, String cluster) {
        public Identity {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(cluster, "cluster");
        }
    }

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final boolean isNew;
    private final boolean wasCleanShutdown;
    private volatile boolean restoredFromBackup;

    private DataDirectory(Path root, FileChannel lockChannel, FileLock lock, boolean isNew, boolean wasCleanShutdown,
                          boolean restoredFromBackup) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.isNew = isNew;
        this.wasCleanShutdown = wasCleanShutdown;
        this.restoredFromBackup = restoredFromBackup;
    }

    /** Opens (creating it when absent) the directory for {@code identity}, or explains why not. */
    public static DataDirectory open(Path root, Identity identity) {
        FileChannel channel = null;
        try {
            Files.createDirectories(root);
            channel = FileChannel.open(root.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock = tryLock(root, channel);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            boolean isNew = checkIdentity(root, identity);
            Path marker = root.resolve(CLEAN_SHUTDOWN_FILE);
            boolean clean = Files.exists(marker);
            if (clean) {
                Files.delete(marker);
                syncDirectory(root);
            }
            boolean restored = Files.exists(root.resolve(RESTORED_BACKUP_FILE));
            return new DataDirectory(root, channel, lock, isNew, clean, restored);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StorageException("cannot open data directory " + root + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    public Path root() {
        return root;
    }

    /** Where the RocksDB files live. */
    public Path rocksDbPath() {
        return root.resolve("rocksdb");
    }

    /** Whether the directory held no identity before this open: a first start, or a wiped or replaced disk. */
    public boolean isNew() {
        return isNew;
    }

    /**
     * Whether the previous process using this directory closed it cleanly (false for a new
     * directory, and after a kill, crash or power loss).
     */
    public boolean wasCleanShutdown() {
        return wasCleanShutdown;
    }

    /**
     * Whether this directory is a restored backup whose node has not finished recovering
     * since: its data is older than what its peers hold, whatever the last shutdown was.
     */
    public boolean restoredFromBackup() {
        return restoredFromBackup;
    }

    /** When the restored backup was taken (Unix milliseconds), if this is one and its marker says. */
    public OptionalLong restoredBackupTakenAtMillis() {
        Path marker = root.resolve(RESTORED_BACKUP_FILE);
        Properties recorded = new Properties();
        try (Reader in = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
            recorded.load(in);
            return OptionalLong.of(Long.parseLong(recorded.getProperty("taken-at-millis", "")));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Removes the restored-backup marker, once the node has compared its data with the
     * other replicas: a later restart no longer needs to recover for that reason. Idempotent.
     */
    public void clearRestoredBackup() {
        if (!restoredFromBackup) {
            return;
        }
        try {
            Files.deleteIfExists(root.resolve(RESTORED_BACKUP_FILE));
            syncDirectory(root);
            restoredFromBackup = false;
        } catch (IOException e) {
            throw new StorageException("cannot remove " + RESTORED_BACKUP_FILE + " from " + root + ": " + e, e);
        }
    }

    /** Records that everything was written and synced; call last, just before {@link #close}. */
    public void markCleanShutdown() {
        try {
            Path marker = root.resolve(CLEAN_SHUTDOWN_FILE);
            try (FileChannel file = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                file.force(true);
            }
            syncDirectory(root);
        } catch (IOException e) {
            throw new StorageException("cannot record clean shutdown in " + root + ": " + e, e);
        }
    }

    /** Releases the lock, so another process may open the directory. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            // The lock goes with the channel anyway.
        }
        closeQuietly(lockChannel);
    }

    private static FileLock tryLock(Path root, FileChannel channel) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            throw new StorageException("data directory " + root + " is already in use by this process");
        }
        if (lock == null) {
            String holder = Files.readString(root.resolve(LOCK_FILE), StandardCharsets.US_ASCII).trim();
            throw new StorageException("data directory " + root + " is in use by another process"
                    + (holder.isEmpty() ? "" : " (pid " + holder + ")") + "; stop it or choose another data-dir");
        }
        return lock;
    }

    /** Checks the recorded identity, or records it; returns whether the directory was new. */
    private static boolean checkIdentity(Path root, Identity identity) throws IOException {
        Path file = root.resolve(IDENTITY_FILE);
        if (Files.exists(file)) {
            Properties recorded = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                recorded.load(in);
            }
            int layout = Integer.parseInt(recorded.getProperty("layout", "0"));
            if (layout > LAYOUT_VERSION) {
                throw new StorageException("data directory " + root + " has layout " + layout
                        + ", newer than this dkv reads (" + LAYOUT_VERSION + ")");
            }
            String node = recorded.getProperty("node");
            if (!identity.node().toString().equals(node)) {
                throw new StorageException("data directory " + root + " belongs to node " + node + ", not "
                        + identity.node() + "; give each node its own data-dir");
            }
            String cluster = recorded.getProperty("cluster");
            if (!identity.cluster().equals(cluster)) {
                throw new StorageException("data directory " + root + " belongs to a cluster of " + cluster
                        + ", but this node is configured for a cluster of " + identity.cluster());
            }
            return false;
        }
        Properties properties = new Properties();
        properties.setProperty("node", identity.node().toString());
        properties.setProperty("cluster", identity.cluster());
        properties.setProperty("layout", String.valueOf(LAYOUT_VERSION));
        Path temporary = root.resolve(IDENTITY_FILE + ".tmp");
        try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            properties.store(out, "dkv data directory: which node and cluster this data belongs to");
        }
        try (FileChannel written = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            written.force(true);
        }
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(root);
        return true;
    }

    /** Makes a file's creation, deletion or rename in {@code dir} durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing left to do with it.
            }
        }
    }
}
