package io.dkv.cluster.handoff;

import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.version.EntryVersion;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hints in memory, bounded by count and bytes. Thread-safe: one concurrent map per target,
 * updated per key with {@code compute}; the bounds are checked before a hint grows the
 * store, so racing writers may pass them by at most one hint each.
 */
public final class MemoryHintStore implements HintStore {

    private final int maxHints;
    private final long maxBytes;
    private final ConcurrentHashMap<NodeId, ConcurrentHashMap<ByteBuffer, Hint>> byTarget = new ConcurrentHashMap<>();
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    public MemoryHintStore(int maxHints, long maxBytes) {
        this.maxHints = maxHints;
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean store(Hint hint) {
        ConcurrentHashMap<ByteBuffer, Hint> hints = byTarget.computeIfAbsent(hint.target(), t -> new ConcurrentHashMap<>());
        boolean[] kept = {true};
        hints.compute(ByteBuffer.wrap(hint.key()), (key, current) -> {
            if (current != null && !Entry.supersedes(hint.entry(), current.entry())) {
                return current;
            }
            Hint merged = current == null ? hint : new Hint(hint.target(), hint.partition(), hint.key(),
                    Entry.merge(current.entry(), hint.entry()), hint.storedAtMillis());
            long grow = merged.sizeBytes() - (current == null ? 0 : current.sizeBytes());
            if (current == null && count.get() >= maxHints || grow > 0 && bytes.get() + grow > maxBytes) {
                kept[0] = false;
                return current;
            }
            if (current == null) {
                count.incrementAndGet();
            }
            bytes.addAndGet(grow);
            // Keep the first time a hint for this key was stored: the hint window counts from then.
            long storedAt = current == null ? hint.storedAtMillis() : current.storedAtMillis();
            return new Hint(hint.target(), hint.partition(), hint.key(), merged.entry(), storedAt);
        });
        return kept[0];
    }

    @Override
    public Entry get(NodeId target, int partition, byte[] key) {
        ConcurrentHashMap<ByteBuffer, Hint> hints = byTarget.get(target);
        Hint hint = hints == null ? null : hints.get(ByteBuffer.wrap(key));
        return hint == null ? null : hint.entry();
    }

    @Override
    public List<Hint> batch(NodeId target, int max) {
        ConcurrentHashMap<ByteBuffer, Hint> hints = byTarget.get(target);
        List<Hint> batch = new ArrayList<>();
        if (hints != null) {
            for (Iterator<Hint> it = hints.values().iterator(); it.hasNext() && batch.size() < max; ) {
                batch.add(it.next());
            }
        }
        return batch;
    }

    @Override
    public boolean remove(NodeId target, byte[] key, EntryVersion version) {
        ConcurrentHashMap<ByteBuffer, Hint> hints = byTarget.get(target);
        if (hints == null) {
            return false;
        }
        boolean[] removed = {false};
        hints.computeIfPresent(ByteBuffer.wrap(key), (k, current) -> {
            if (!current.entry().versions().equals(version)) {
                return current;
            }
            count.decrementAndGet();
            bytes.addAndGet(-current.sizeBytes());
            removed[0] = true;
            return null;
        });
        return removed[0];
    }

    @Override
    public int expire(long cutoffMillis) {
        int expired = 0;
        for (ConcurrentHashMap<ByteBuffer, Hint> hints : byTarget.values()) {
            for (Hint hint : hints.values()) {
                if (hint.storedAtMillis() < cutoffMillis && remove(hint.target(), hint.key(), hint.entry().versions())) {
                    expired++;
                }
            }
        }
        return expired;
    }

    @Override
    public Map<NodeId, Integer> countsByTarget() {
        Map<NodeId, Integer> counts = new TreeMap<>();
        byTarget.forEach((target, hints) -> {
            if (!hints.isEmpty()) {
                counts.put(target, hints.size());
            }
        });
        return counts;
    }

    @Override
    public long count() {
        return count.get();
    }

    @Override
    public long bytes() {
        return bytes.get();
    }
}
