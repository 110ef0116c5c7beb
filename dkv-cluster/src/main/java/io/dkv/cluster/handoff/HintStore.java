package io.dkv.cluster.handoff;

import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.version.EntryVersion;

import java.util.List;
import java.util.Map;

/**
 * Where a node keeps hints, per target replica and key. One hint per (target, key): a newer
 * entry replaces an older one, exactly as in a replica's own store, so replaying the kept
 * hint replays everything the target missed for that key.
 *
 * <p>Contract: implementations are thread-safe; {@link #store} refuses (returns false)
 * rather than pass its bounds; {@link #remove} removes only the exact version replayed, so
 * a newer hint stored meanwhile survives. A durable implementation keeps hints across
 * restarts (the interface carries only bytes and values to make that possible).
 */
public interface HintStore {

    /** Keeps the hint, or a newer one already kept; false when the bounds forbid keeping it. */
    boolean store(Hint hint);

    /** The entry kept for {@code target} under {@code key}, or {@code null}. */
    Entry get(NodeId target, int partition, byte[] key);

    /** Up to {@code max} hints for {@code target}, in no particular order. */
    List<Hint> batch(NodeId target, int max);

    /** Removes the hint for (target, key) if it still holds {@code version}. */
    boolean remove(NodeId target, byte[] key, EntryVersion version);

    /** Drops hints first kept before {@code cutoffMillis}; returns how many. */
    int expire(long cutoffMillis);

    /** Hints kept per target that has any. */
    Map<NodeId, Integer> countsByTarget();

    long count();

    long bytes();
}
