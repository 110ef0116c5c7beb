package io.dkv.server.storage;

import io.dkv.cluster.ClusterConfig;
import io.dkv.cluster.handoff.HintStore;
import io.dkv.cluster.handoff.MemoryHintStore;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.MemoryStorageEngine;
import io.dkv.core.storage.StorageEngine;
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

    private NodeStorage(StorageEngine engine, HintStore hints, RocksDbStore durable) {
        this.engine = engine;
        this.hints = hints;
        this.durable = durable;
    }

    public static NodeStorage open(NodeSettings settings) {
        ClusterConfig config = settings.cluster();
        Ring ring = config.buildRing();
        StorageSettings storage = settings.storage();
        if (!storage.durable()) {
            return new NodeStorage(new MemoryStorageEngine(ring.partitionCount(), config.memoryLimitBytes()),
                    new MemoryHintStore(config.handoff().maxHints(), config.handoff().maxBytes()), null);
        }
        RocksDbStore store = RocksDbStore.open(storage, new DataDirectory.Identity(settings.node(), clusterShape(config)));
        try {
            return new NodeStorage(store.storageEngine(ring.partitionCount()),
                    store.hintStore(config.handoff().maxHints(), config.handoff().maxBytes(), ring::partitionOf), store);
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
