package io.dkv.core.hash;

import io.dkv.core.version.Version;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The fields of a hash, each with its own version, kept in unsigned byte order of the field
 * names (so digests and iteration are the same on every replica). Tombstones (HDEL) are kept
 * until they are collected, so that a replica still holding the old field cannot bring it
 * back. Immutable: every operation returns a new instance.
 */
public final class HashFields {

    public static final HashFields EMPTY = new HashFields(new TreeMap<>(Arrays::compareUnsigned));

    private final NavigableMap<byte[], Field> fields;

    private HashFields(NavigableMap<byte[], Field> fields) {
        this.fields = fields;
    }

    /** The fields of one HSET (or HDEL, with {@code null} values), all at the write's version. */
    public static HashFields written(Map<byte[], byte[]> values, Version version) {
        Objects.requireNonNull(version, "version");
        NavigableMap<byte[], Field> map = new TreeMap<>(Arrays::compareUnsigned);
        values.forEach((name, value) -> map.put(name, new Field(value, version)));
        return new HashFields(map);
    }

    public static HashFields of(byte[] name, Field field) {
        NavigableMap<byte[], Field> map = new TreeMap<>(Arrays::compareUnsigned);
        map.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(field, "field"));
        return new HashFields(map);
    }

    /** Collects fields one by one (decoders), keeping the newer of two with the same name. */
    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final NavigableMap<byte[], Field> map = new TreeMap<>(Arrays::compareUnsigned);

        private Builder() {
        }

        public Builder put(byte[] name, Field field) {
            map.merge(Objects.requireNonNull(name, "name"), Objects.requireNonNull(field, "field"), Field::newer);
            return this;
        }

        public HashFields build() {
            return map.isEmpty() ? EMPTY : new HashFields(new TreeMap<>(map));
        }
    }

    /**
     * Fields of both sides, each the newer of the two ({@link Field#newer}), keeping only those
     * written after {@code keyLevel}: a whole-key write (SET, DEL) hides every field it is not
     * older than. The per-field rule is a maximum over a total order and the filter is
     * monotone in {@code keyLevel}, so with the key level itself a maximum the merge is
     * commutative, associative and idempotent (see {@code HashMergeProperties}).
     */
    public static HashFields merge(HashFields a, HashFields b, Version keyLevel) {
        NavigableMap<byte[], Field> map = new TreeMap<>(Arrays::compareUnsigned);
        for (HashFields side : List.of(a, b)) {
            for (Map.Entry<byte[], Field> e : side.fields.entrySet()) {
                if (e.getValue().version().compareTo(keyLevel) > 0) {
                    map.merge(e.getKey(), e.getValue(), Field::newer);
                }
            }
        }
        return map.isEmpty() ? EMPTY : new HashFields(map);
    }

    /** These fields without those a whole-key write at {@code keyLevel} hides. */
    public HashFields newerThan(Version keyLevel) {
        return merge(this, EMPTY, keyLevel);
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** The field named {@code name}, tombstone included, or {@code null}. */
    public Field get(byte[] name) {
        return fields.get(name);
    }

    /** Fields and tombstones, in name order. */
    public NavigableMap<byte[], Field> all() {
        return Collections.unmodifiableNavigableMap(fields);
    }

    /** The live fields' names and values, in name order: what HGETALL answers. */
    public List<Map.Entry<byte[], byte[]>> live() {
        List<Map.Entry<byte[], byte[]>> live = new ArrayList<>();
        fields.forEach((name, field) -> {
            if (!field.isTombstone()) {
                live.add(Map.entry(name, field.value()));
            }
        });
        return live;
    }

    public int liveCount() {
        int count = 0;
        for (Field field : fields.values()) {
            count += field.isTombstone() ? 0 : 1;
        }
        return count;
    }

    /** The newest field version, or {@link Version#ZERO} when there are no fields. */
    public Version newestVersion() {
        Version newest = Version.ZERO;
        for (Field field : fields.values()) {
            newest = field.version().compareTo(newest) > 0 ? field.version() : newest;
        }
        return newest;
    }

    /**
     * A 64-bit hash of every field's name, version and whether it is a tombstone (not its
     * value: one version is one write, so equal versions mean equal values). Replicas whose
     * fields differ in any of these differ here, which digest reads, Merkle leaves and
     * anti-entropy rely on to notice. Never 0 for a non-empty set, 0 for the empty one.
     */
    public long digest() {
        long digest = 0;
        for (Map.Entry<byte[], Field> e : fields.entrySet()) {
            long h = 0x9E3779B97F4A7C15L;
            for (byte b : e.getKey()) {
                h = mix(h ^ (b & 0xff));
            }
            Version version = e.getValue().version();
            h = mix(h ^ mix(version.stamp()) ^ ((long) version.node() << 17) ^ (e.getValue().isTombstone() ? 0x5bd1e995L : 0));
            digest = mix(digest + h);
        }
        return fields.isEmpty() || digest != 0 ? digest : 1;
    }

    /** A 64-bit finaliser (SplitMix64) so that nearby inputs give unrelated hashes. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Names, values and per-field bookkeeping, tombstones included: what limits and MEMORY USAGE count. */
    public long sizeBytes() {
        if (fields.isEmpty()) {
            // Most entries are plain values: no iterator for them (2 % of a loop's time under pipelined SETs).
            return 0;
        }
        long size = 0;
        for (Map.Entry<byte[], Field> e : fields.entrySet()) {
            byte[] value = e.getValue().value();
            size += e.getKey().length + (value == null ? 0 : value.length) + Field.OVERHEAD_BYTES;
        }
        return size;
    }

    @Override
    public boolean equals(Object other) {
        if (other == this) {
            return true;
        }
        if (!(other instanceof HashFields that) || that.fields.size() != fields.size()) {
            return false;
        }
        if (fields.isEmpty()) {
            // Every string entry holds no fields, and replicas compare entries on each write:
            // iterating two empty maps would allocate two iterators per write for nothing.
            return true;
        }
        var mine = fields.entrySet().iterator();
        var theirs = that.fields.entrySet().iterator();
        while (mine.hasNext()) {
            var a = mine.next();
            var b = theirs.next();
            if (!Arrays.equals(a.getKey(), b.getKey()) || !a.getValue().equals(b.getValue())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 1;
        for (Map.Entry<byte[], Field> e : fields.entrySet()) {
            hash = 31 * hash + Arrays.hashCode(e.getKey()) * 17 + e.getValue().hashCode();
        }
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("{");
        fields.forEach((name, field) -> out.append(out.length() > 1 ? ", " : "")
                .append(new String(name, java.nio.charset.StandardCharsets.UTF_8)).append('=').append(field));
        return out.append('}').toString();
    }
}
