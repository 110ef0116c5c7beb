package io.dkv.server.storage;

import io.dkv.cluster.handoff.Hint;
import io.dkv.cluster.handoff.HintStore;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.ring.KeyHash;
import io.dkv.core.version.EntryVersion;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToIntFunction;

/**
 * Hints in RocksDB (column family {@code hints}), so a node that restarts still replays the
 * writes it kept for others. Bounded by count and bytes like {@code MemoryHintStore}.
 *
 * <p>On disk: the key is the target's node number (4 bytes, big-endian), the key's hash and
 * the key, so one target's hints are one key range; the value is a format byte, the time
 * the hint was first kept (8 bytes) and the entry ({@link EntryCodec}). The partition is not
 * stored: it is recomputed from the key with the ring handed in, so hints stay valid when
 * the partition space changes.
 *
 * <p>Thread-safe: a read-compare-write on one (target, key) holds a lock striped by its
 * hash. Counts and bytes are kept in memory and recounted by one scan on open (hints are
 * bounded, so the scan is too).
 */
public final class RocksDbHintStore implements HintStore {

    private static final byte FORMAT = 1;
    private static final int TARGET_BYTES = Integer.BYTES;
    private static final int HEADER_BYTES = 1 + Long.BYTES;

    private final RocksDbStore store;
    private final RocksDbStore.Family family;
    private final int maxHints;
    private final long maxBytes;
    private final ToIntFunction<byte[]> partitionOf;
    private final StripedLocks locks = new StripedLocks(256);
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final ConcurrentHashMap<NodeId, LongAdder> byTarget = new ConcurrentHashMap<>();
    /** No hint kept is older than this (it may be lower than the true oldest): lets expire skip its scan. */
    private final AtomicLong oldestStoredAt = new AtomicLong(Long.MAX_VALUE);

    RocksDbHintStore(RocksDbStore store, RocksDbStore.Family family, int maxHints, long maxBytes,
                     ToIntFunction<byte[]> partitionOf) {
        this.store = store;
        this.family = family;
        this.maxHints = maxHints;
        this.maxBytes = maxBytes;
        this.partitionOf = partitionOf;
        store.scan(family, new byte[0], null, (diskKey, value) -> {
            Hint hint = decode(diskKey, value);
            count.incrementAndGet();
            bytes.addAndGet(hint.sizeBytes());
            counter(hint.target()).increment();
            oldestStoredAt.accumulateAndGet(hint.storedAtMillis(), Math::min);
            return true;
        });
    }

    @Override
    public boolean store(Hint hint) {
        long hash = KeyHash.of(hint.key());
        byte[] diskKey = diskKey(hint.target(), hash, hint.key());
        ReentrantLock lock = lockFor(hint.target(), hash);
        lock.lock();
        try {
            byte[] stored = store.get(family, diskKey);
            Hint current = stored == null ? null : decode(diskKey, stored);
            if (current != null && !Entry.supersedes(hint.entry(), current.entry())) {
                return true;
            }
            if (current != null) {
                hint = new Hint(hint.target(), hint.partition(), hint.key(),
                        Entry.merge(current.entry(), hint.entry()), hint.storedAtMillis());
            }
            long grow = hint.sizeBytes() - (current == null ? 0 : current.sizeBytes());
            if (current == null && count.get() >= maxHints || grow > 0 && bytes.get() + grow > maxBytes) {
                return false;
            }
            if (grow > 0 || current == null) {
                try {
                    store.ensureSpace();
                } catch (StorageException diskFull) {
                    return false;
                }
            }
            // The hint window counts from the first time a hint for this key was kept.
            long storedAt = current == null ? hint.storedAtMillis() : current.storedAtMillis();
            store.put(family, diskKey, encode(hint.entry(), storedAt));
            if (current == null) {
                count.incrementAndGet();
                counter(hint.target()).increment();
            }
            bytes.addAndGet(grow);
            oldestStoredAt.accumulateAndGet(storedAt, Math::min);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Entry get(NodeId target, int partition, byte[] key) {
        byte[] stored = store.get(family, diskKey(target, KeyHash.of(key), key));
        return stored == null ? null : EntryCodec.decode(stored, HEADER_BYTES);
    }

    @Override
    public List<Hint> batch(NodeId target, int max) {
        List<Hint> batch = new ArrayList<>();
        if (max <= 0) {
            return batch;
        }
        byte[] prefix = targetPrefix(target);
        store.scan(family, prefix, KeyLayout.successor(prefix), (diskKey, value) -> {
            batch.add(decode(diskKey, value));
            return batch.size() < max;
        });
        return batch;
    }

    @Override
    public boolean remove(NodeId target, byte[] key, EntryVersion version) {
        long hash = KeyHash.of(key);
        byte[] diskKey = diskKey(target, hash, key);
        ReentrantLock lock = lockFor(target, hash);
        lock.lock();
        try {
            byte[] stored = store.get(family, diskKey);
            if (stored == null) {
                return false;
            }
            Hint current = decode(diskKey, stored);
            if (!current.entry().versions().equals(version)) {
                return false;
            }
            store.delete(family, diskKey);
            count.decrementAndGet();
            counter(target).decrement();
            bytes.addAndGet(-current.sizeBytes());
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int expire(long cutoffMillis) {
        if (oldestStoredAt.get() >= cutoffMillis) {
            return 0;
        }
        List<Hint> expired = new ArrayList<>();
        long[] oldestLeft = {Long.MAX_VALUE};
        store.scan(family, new byte[0], null, (diskKey, value) -> {
            long storedAt = KeyLayout.getLong(value, 1);
            if (storedAt < cutoffMillis) {
                expired.add(decode(diskKey, value));
            } else {
                oldestLeft[0] = Math.min(oldestLeft[0], storedAt);
            }
            return true;
        });
        // Hints kept during the scan may be older than what it saw; never raise past them.
        oldestStoredAt.accumulateAndGet(oldestLeft[0], (current, seen) -> current < cutoffMillis ? seen : current);
        int removed = 0;
        for (Hint hint : expired) {
            if (remove(hint.target(), hint.key(), hint.entry().versions())) {
                removed++;
            }
        }
        return removed;
    }

    @Override
    public Map<NodeId, Integer> countsByTarget() {
        Map<NodeId, Integer> counts = new TreeMap<>();
        byTarget.forEach((target, hints) -> {
            long n = hints.sum();
            if (n > 0) {
                counts.put(target, (int) n);
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

    private LongAdder counter(NodeId target) {
        return byTarget.computeIfAbsent(target, t -> new LongAdder());
    }

    private ReentrantLock lockFor(NodeId target, long hash) {
        return locks.forHash(hash * 31 + target.number());
    }

    private static byte[] targetPrefix(NodeId target) {
        byte[] prefix = new byte[TARGET_BYTES];
        KeyLayout.putInt(prefix, 0, target.number());
        return prefix;
    }

    private static byte[] diskKey(NodeId target, long hash, byte[] key) {
        byte[] diskKey = KeyLayout.diskKey(hash, key, TARGET_BYTES);
        KeyLayout.putInt(diskKey, 0, target.number());
        return diskKey;
    }

    private static byte[] encode(Entry entry, long storedAtMillis) {
        byte[] encodedEntry = EntryCodec.encode(entry);
        byte[] value = new byte[HEADER_BYTES + encodedEntry.length];
        value[0] = FORMAT;
        KeyLayout.putLong(value, 1, storedAtMillis);
        System.arraycopy(encodedEntry, 0, value, HEADER_BYTES, encodedEntry.length);
        return value;
    }

    private Hint decode(byte[] diskKey, byte[] value) {
        if (value.length < HEADER_BYTES || value[0] != FORMAT) {
            throw new StorageException("hint format " + (value.length == 0 ? "(empty)" : value[0])
                    + " is unknown to this version of dkv (it reads " + FORMAT + ")");
        }
        NodeId target = NodeId.of(KeyLayout.getInt(diskKey, 0));
        byte[] key = KeyLayout.userKey(diskKey, TARGET_BYTES);
        return new Hint(target, partitionOf.applyAsInt(key), key, EntryCodec.decode(value, HEADER_BYTES),
                KeyLayout.getLong(value, 1));
    }
}
