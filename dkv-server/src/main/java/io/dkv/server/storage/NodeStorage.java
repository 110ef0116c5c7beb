package io.dkv.server.storage;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.cluster.handoff.HintStore;
import io.dkv.cluster.handoff.MemoryHintStore;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.MemoryStorageEngine;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.StampLease;
import io.dkv.server.config.NodeSettings;
import io.dkv.server.config.StorageSettings;

import java.util.Optional;

/**
 * A node's entries and hints, built from its settings: both in memory, or both in one
 * {@link RocksDbStore} in the node's data directory.
 */
public final class NodeStorage implements AutoCloseable {

    private final StorageEngine engine;
    private final HintStore hints;
    private final RocksDbStore durable;
    private final StorageSettings.Sync sync;
    private final StampLease lease;

    private NodeStorage(StorageEngine engine, HintStore hints, RocksDbStore durable, StorageSettings.Sync sync) {
        this.engine = engine;
        this.hints = hints;
        this.durable = durable;
        this.sync = sync;
        this.lease = durable == null ? StampLease.NONE : ClockLeaseFile.in(durable.directory().root());
    }

    public static NodeStorage open(NodeSettings settings) {
        ClusterConfig config = settings.cluster();
        Ring ring = config.buildRing();
        StorageSettings storage = settings.storage();
        if (!storage.durable()) {
            return new NodeStorage(new MemoryStorageEngine(ring.partitionCount(), config.memoryLimitBytes()),
                    new MemoryHintStore(config.handoff().maxHints(), config.handoff().maxBytes()), null, storage.sync());
        }
        RocksDbStore store = RocksDbStore.open(storage, new DataDirectory.Identity(settings.node(), clusterShape(config)));
        try {
            return new NodeStorage(store.storageEngine(ring.partitionCount()),
                    store.hintStore(config.handoff().maxHints(), config.handoff().maxBytes(), ring::partitionOf), store,
                    storage.sync());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** What a data directory records as its cluster: everything that decides where keys live. */
    static String clusterShape(ClusterConfig config) {
        return "nodes=" + config.nodes() + " replicas=" + config.replicas() + " partitions-per-node="
                + config.partitionsPerNode() + " ring-seed=" + config.ringSeed();
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
     * or an unclean shutdown under {@code sync: periodic} (a killed process cannot be told
     * from a lost machine, which may have dropped the last interval). After a clean shutdown,
     * or under {@code sync: always}, everything acknowledged is on disk: it votes at once.
     */
    public boolean mayLackData(boolean restartedInMemory) {
        if (durable == null) {
            return restartedInMemory;
        }
        DataDirectory directory = durable.directory();
        return directory.isNew() || (!directory.wasCleanShutdown() && sync != StorageSettings.Sync.ALWAYS);
    }

    /** Where the clock records its lease: the data directory, or nowhere for an in-memory node. */
    public StampLease clockLease() {
        return lease;
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
