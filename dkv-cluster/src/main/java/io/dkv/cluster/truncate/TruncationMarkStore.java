package io.dkv.cluster.truncate;

/**
 * Where a node keeps its truncation mark. A durable store (a file in the RocksDB engine's
 * data directory) keeps it across restarts, as the entries it hides are kept; the memory
 * store keeps it as long as the in-memory entries live.
 *
 * <p>Contract: {@link #store} returns only once the stamp is as durable as the store
 * promises; stamps only grow (callers never store a lower one). Implementations are called
 * by one thread at a time.
 */
public interface TruncationMarkStore {

    /** The highest stamp stored, or 0 when none was. */
    long load();

    void store(long stamp);
}
