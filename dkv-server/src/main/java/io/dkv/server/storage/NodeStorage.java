package io.dkv.server.storage;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.cluster.handoff.HintStore;
import io.dkv.cluster.handoff.MemoryHintStore;
import io.dkv.cluster.membership.register.MemoryRingRegisterStore;
import io.dkv.cluster.membership.register.RingRegisterStore;
import io.dkv.cluster.truncate.MemoryTruncationMarkStore;
import io.dkv.cluster.truncate.TruncationMarkStore;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.MemoryStorageEngine;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.StampLease;
import io.dkv.server.config.NodeSettings;
import io.dkv.server.config.StorageSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A node's entries and hints, built from its settings: both in memory, or both in one
 * {@link RocksDbStore} in the node's data directory.
 */
public final class NodeStorage implements Persistence, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeStorage.class);

    private final StorageEngine engine;
    private final HintStore hints;
    private final RocksDbStore durable;
    private final StorageSettings.Sync sync;
    private final StampLease lease;
    private final RingRegisterStore ringRegister;
    private final TruncationMarkStore truncationMark;
    private final StorageSettings settings;

    private NodeStorage(StorageEngine engine, HintStore hints, RocksDbStore durable, StorageSettings settings) {
        this.settings = settings;
        this.sync = settings.sync();
        this.engine = engine;
        this.hints = hints;
        this.durable = durable;
        this.lease = durable == null ? StampLease.NONE : ClockLeaseFile.in(durable.directory().root());
        this.ringRegister = durable == null ? new MemoryRingRegisterStore() : RingRegisterFile.in(durable.directory().root());
        this.truncationMark = durable == null ? new MemoryTruncationMarkStore()
                : TruncationMarkFile.in(durable.directory().root());
    }

    public static NodeStorage open(NodeSettings settings) {
        ClusterConfig config = settings.cluster();
        Ring ring = config.buildRing();
        StorageSettings storage = settings.storage();
        if (!storage.durable()) {
            return new NodeStorage(new MemoryStorageEngine(ring.partitionCount(), config.memoryLimitBytes()),
                    new MemoryHintStore(config.handoff().maxHints(), config.handoff().maxBytes()), null, storage);
        }
        RocksDbStore store = RocksDbStore.open(storage, new DataDirectory.Identity(settings.node(), clusterShape(config)));
        warnIfBackupOutlivedTombstones(store.directory(), config.repair().tombstoneGraceMillis());
        try {
            return new NodeStorage(store.storageEngine(ring.partitionCount()),
                    store.hintStore(config.handoff().maxHints(), config.handoff().maxBytes(), ring::partitionOf), store,
                    storage);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * A backup older than the tombstone grace period may hold values whose tombstones the
     * other replicas have purged since; anti-entropy would then spread them again.
     */
    private static void warnIfBackupOutlivedTombstones(DataDirectory directory, long tombstoneGraceMillis) {
        if (!directory.restoredFromBackup()) {
            return;
        }
        directory.restoredBackupTakenAtMillis().ifPresent(takenAt -> {
            long ageMillis = System.currentTimeMillis() - takenAt;
            if (ageMillis > tombstoneGraceMillis) {
                log.warn("storage: {} is a backup taken {} h ago, longer than tombstone-grace-ms ({} ms): keys deleted"
                        + " since may come back", directory.root(), ageMillis / 3_600_000, tombstoneGraceMillis);
            }
        });
    }

    /** What a data directory records as its cluster: everything that decides where keys live. */
    static String clusterShape(ClusterConfig config) {
        return "nodes=" + config.nodes() + " replicas=" + config.replicas() + " partitions="
                + config.partitions() + " ring-seed=" + config.ringSeed();
    }

    public StorageEngine engine() {
        return engine;
    }

    public HintStore hints() {
        return hints;
    }

    /**
     * Whether the node may lack data it acknowledged before, and so must recover before it
     * votes. In memory: what the caller knows ({@code restartedInMemory}). Durable: a new or
     * replaced data directory (a first start costs a second of comparing empty partitions),
     * a restored backup (older than what its peers hold, whatever the sync mode; until it has
     * recovered once, see {@link #recoveryFinished}), or an unclean shutdown under
     * {@code sync: periodic} (a killed process cannot be told from a lost machine, which may
     * have dropped the last interval). After a clean shutdown, or under {@code sync: always},
     * everything acknowledged is on disk: it votes at once.
     */
    public boolean mayLackData(boolean restartedInMemory) {
        if (durable == null) {
            return restartedInMemory;
        }
        DataDirectory directory = durable.directory();
        return directory.isNew() || directory.restoredFromBackup()
                || (!directory.wasCleanShutdown() && sync != StorageSettings.Sync.ALWAYS);
    }

    /**
     * Called once the node has finished recovering (or never had to): a restored backup is
     * then caught up, and its marker is removed so a later restart does not recover for it.
     * Cheap when there is nothing to do.
     */
    public void recoveryFinished() {
        if (durable != null && durable.directory().restoredFromBackup()) {
            try {
                durable.directory().clearRestoredBackup();
                log.info("storage: recovered from a restored backup; removed its marker from {}", durable.directory().root());
            } catch (StorageException e) {
                log.warn("storage: {} (tried again later)", e.getMessage());
            }
        }
    }

    @Override
    public Status status() {
        if (durable == null) {
            return new Status(settings.kind(), settings.sync(), null, null, false, null, false);
        }
        return new Status(settings.kind(), settings.sync(), durable.directory().root(), durable.lastBackup(),
                durable.backupInProgress(), durable.writeProblem(), durable.directory().restoredFromBackup());
    }

    @Override
    public Backup backup(Path dir, long nowMillis) {
        if (durable == null) {
            throw new StorageException("this node keeps its data in memory (storage: memory): there is nothing on disk"
                    + " to back up");
        }
        return durable.backup(dir, nowMillis);
    }

    /** Where the clock records its lease: the data directory, or nowhere for an in-memory node. */
    public StampLease clockLease() {
        return lease;
    }

    /** Where the node keeps its votes on ring changes: the data directory, or memory for an in-memory node. */
    public RingRegisterStore ringRegister() {
        return ringRegister;
    }

    /** Where the node keeps its FLUSHALL mark: next to its data, so both outlive the process or neither does. */
    public TruncationMarkStore truncationMark() {
        return truncationMark;
    }

    /** The data directory, when storage is durable: whether it is new, whether the last shutdown was clean. */
    public Optional<DataDirectory> dataDirectory() {
        return durable == null ? Optional.empty() : Optional.of(durable.directory());
    }

    /** Closes the engine and, when durable, syncs and records a clean shutdown. Idempotent. */
    @Override
    public void close() {
        engine.close();
        if (durable != null) {
            durable.close();
        }
    }
}
