package io.dkv.core.storage;

import io.dkv.core.Entry;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * One partition's keys and entries in an open-addressing table of {@link EntryRecords}.
 *
 * <p>Thread-safe: writers take the table's lock (one per partition, so writers of
 * different partitions never wait for each other); readers take none. How: a slot holds an
 * immutable record, {@link #DELETED} or nothing, and is written with release and read with
 * acquire semantics, so a reader that finds a record sees all of it. A write replaces a
 * record in its slot and a removal leaves {@link #DELETED} in it, so records never move
 * within a table and a probe never misses a key that stays put; a resize builds a new table
 * and publishes it through a volatile field, and a reader still on the old one sees the
 * state from before the resize. Slots hold a hash beside the record so a probe compares keys
 * only when the hashes agree.
 *
 * <p>Linear probing; the table grows to keep at most 3/4 of its slots used (records and
 * {@link #DELETED} together) and shrinks when fewer than 1/8 hold records, so its memory
 * follows the data (a dropped partition leaves a small table behind).
 */
final class PartitionTable {

    /** What a removed key leaves in its slot, so that probes walk past it. */
    private static final Object DELETED = new Object();
    private static final int MIN_CAPACITY = 16;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    /** The slots and their hashes; replaced as a whole on resize. */
    private record Slots(Object[] records, int[] hashes) {
        Slots(int capacity) {
            this(new Object[capacity], new int[capacity]);
        }
    }

    /** What a write does to a key's entry, under the table's lock: the entry to store, or null to store nothing. */
    interface Update {
        Entry apply(Entry current);
    }

    private volatile Slots slots = new Slots(MIN_CAPACITY);
    /** Slots holding a record; guarded by this. */
    private int size;
    /** Slots holding a record or {@link #DELETED}; guarded by this. */
    private int used;

    /** The record stored for {@code key}, or null. */
    Object find(byte[] key) {
        return find(slots, key, EntryRecords.hash(key));
    }

    /**
     * Applies {@code update} to the key's entry (null when absent) and stores what it returns
     * in place of the current one, unless it returns null. Atomic per key: the update runs
     * under the table's lock and should be quick.
     *
     * @return whether an entry was stored, and the entry stored before (null when the key was absent)
     */
    synchronized MergeResult update(byte[] key, Update update) {
        int hash = EntryRecords.hash(key);
        Slots current = slots;
        int index = indexOf(current, key, hash);
        Entry before = index < 0 ? null : EntryRecords.decode(SLOT.getAcquire(current.records, index));
        Entry after = update.apply(before);
        if (after != null) {
            Object record = EntryRecords.encode(key, after);
            if (index >= 0) {
                SLOT.setRelease(current.records, index, record);
            } else {
                insert(hash, record);
            }
        }
        return new MergeResult(after != null, before);
    }

    /** Removes the key when {@code test} accepts its entry; returns the entry removed, or null. */
    synchronized Entry removeIf(byte[] key, Predicate<Entry> test) {
        Slots current = slots;
        int index = indexOf(current, key, EntryRecords.hash(key));
        if (index < 0) {
            return null;
        }
        Entry entry = EntryRecords.decode(SLOT.getAcquire(current.records, index));
        if (!test.test(entry)) {
            return null;
        }
        SLOT.setRelease(current.records, index, DELETED);
        size--;
        if (size < current.records.length / 8 && current.records.length > MIN_CAPACITY) {
            resize(capacityFor(size));
        }
        return entry;
    }

    /**
     * Visits the records of the table as it is now, with a copy of each key, except those
     * {@code skip} accepts (tested before the key is copied); weakly consistent with
     * concurrent writes.
     */
    void forEachRecord(Predicate<Object> skip, BiConsumer<byte[], Object> visitor) {
        Object[] records = slots.records;
        for (int i = 0; i < records.length; i++) {
            Object record = SLOT.getAcquire(records, i);
            if (record != null && record != DELETED && !skip.test(record)) {
                visitor.accept(EntryRecords.key(record), record);
            }
        }
    }

    /** Slots in the table now (for tests of its growth). */
    int capacity() {
        return slots.records.length;
    }

    private static Object find(Slots table, byte[] key, int hash) {
        Object[] records = table.records;
        int mask = records.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            Object record = SLOT.getAcquire(records, i);
            if (record == null) {
                return null;
            }
            if (record != DELETED && table.hashes[i] == hash && EntryRecords.hasKey(record, key)) {
                return record;
            }
        }
    }

    private static int indexOf(Slots table, byte[] key, int hash) {
        Object[] records = table.records;
        int mask = records.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            Object record = records[i];
            if (record == null) {
                return -1;
            }
            if (record != DELETED && table.hashes[i] == hash && EntryRecords.hasKey(record, key)) {
                return i;
            }
        }
    }

    /** Stores a record for a key known to be absent. */
    private void insert(int hash, Object record) {
        if ((used + 1) * 4L > slots.records.length * 3L) {
            resize(capacityFor(size + 1));
        }
        Slots table = slots;
        int mask = table.records.length - 1;
        int i = hash & mask;
        while (table.records[i] != null && table.records[i] != DELETED) {
            i = (i + 1) & mask;
        }
        if (table.records[i] == null) {
            used++;
        }
        size++;
        table.hashes[i] = hash;
        SLOT.setRelease(table.records, i, record);
    }

    /** A capacity that holds {@code keys} at most half full, so the next resize is as many inserts away. */
    private static int capacityFor(int keys) {
        int capacity = MIN_CAPACITY;
        while (capacity < keys * 2L) {
            capacity <<= 1;
        }
        return capacity;
    }

    private void resize(int capacity) {
        Slots old = slots;
        Slots table = new Slots(capacity);
        int mask = capacity - 1;
        for (int j = 0; j < old.records.length; j++) {
            Object record = old.records[j];
            if (record != null && record != DELETED) {
                int i = old.hashes[j] & mask;
                while (table.records[i] != null) {
                    i = (i + 1) & mask;
                }
                table.records[i] = record;
                table.hashes[i] = old.hashes[j];
            }
        }
        used = size;
        slots = table; // the volatile write publishes the filled arrays
    }
}
