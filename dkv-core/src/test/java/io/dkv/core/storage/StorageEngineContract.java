package io.dkv.core.storage;

import io.dkv.core.Entry;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules every {@link StorageEngine} must follow. An engine's test extends this class and
 * says how to open an engine with {@link #PARTITIONS} partitions.
 */
public abstract class StorageEngineContract {

    protected static final int PARTITIONS = 16;

    protected StorageEngine engine;

    /** Opens a fresh, empty engine. */
    protected abstract StorageEngine open();

    @BeforeEach
    void openEngine() {
        engine = open();
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    protected static Entry value(String text, long stamp, int node) {
        return Entry.value(bytes(text), new Version(stamp, node));
    }

    @Test
    void absentKeyReadsAsNull() {
        assertThat(engine.get(3, bytes("nothing"))).isNull();
    }

    @Test
    void storesAndReturnsAnEntryByKeyContent() {
        MergeResult result = engine.merge(3, bytes("k"), value("v1", 10, 1));

        assertThat(result.applied()).isTrue();
        assertThat(result.previous()).isNull();
        assertThat(engine.get(3, bytes("k"))).isEqualTo(value("v1", 10, 1));
    }

    @Test
    void newerVersionReplacesOlder() {
        engine.merge(1, bytes("k"), value("old", 10, 1));
        MergeResult result = engine.merge(1, bytes("k"), value("new", 11, 1));

        assertThat(result.applied()).isTrue();
        assertThat(result.previous()).isEqualTo(value("old", 10, 1));
        assertThat(result.hadValue()).isTrue();
        assertThat(engine.get(1, bytes("k"))).isEqualTo(value("new", 11, 1));
    }

    @Test
    void olderVersionIsIgnoredAndReported() {
        engine.merge(1, bytes("k"), value("new", 11, 1));
        MergeResult result = engine.merge(1, bytes("k"), value("old", 10, 2));

        assertThat(result.applied()).isFalse();
        assertThat(engine.get(1, bytes("k"))).isEqualTo(value("new", 11, 1));
    }

    @Test
    void sameStampIsOrderedByNode() {
        engine.merge(1, bytes("k"), value("from-n2", 10, 2));
        engine.merge(1, bytes("k"), value("from-n1", 10, 1));

        assertThat(engine.get(1, bytes("k"))).isEqualTo(value("from-n2", 10, 2));
    }

    @Test
    void mergingTheSameEntryTwiceChangesNothing() {
        engine.merge(1, bytes("k"), value("v", 10, 1));
        MergeResult again = engine.merge(1, bytes("k"), value("v", 10, 1));

        assertThat(again.applied()).isFalse();
        assertThat(engine.keyCount()).isEqualTo(1);
    }

    @Test
    void tombstoneWinsLikeAWriteAndIsCountedApart() {
        engine.merge(2, bytes("k"), value("v", 10, 1));
        engine.merge(2, bytes("k"), Entry.tombstone(new Version(12, 1)));

        assertThat(engine.get(2, bytes("k")).isTombstone()).isTrue();
        assertThat(engine.keyCount()).isZero();
        assertThat(engine.tombstoneCount()).isEqualTo(1);

        engine.merge(2, bytes("k"), value("stale", 11, 3));
        assertThat(engine.get(2, bytes("k")).isTombstone()).isTrue();
    }

    @Test
    void removeIfVersionRemovesOnlyThatVersion() {
        Version tombstone = new Version(12, 1);
        engine.merge(2, bytes("k"), Entry.tombstone(tombstone));

        assertThat(engine.removeIfVersion(2, bytes("k"), new Version(11, 1))).isFalse();
        assertThat(engine.get(2, bytes("k"))).isNotNull();
        assertThat(engine.removeIfVersion(2, bytes("k"), tombstone)).isTrue();
        assertThat(engine.get(2, bytes("k"))).isNull();
        assertThat(engine.tombstoneCount()).isZero();
        assertThat(engine.removeIfVersion(2, bytes("k"), tombstone)).isFalse();
    }

    @Test
    void partitionsAreSeparateAndIterable() {
        engine.merge(0, bytes("a"), value("1", 1, 1));
        engine.merge(0, bytes("b"), value("2", 1, 1));
        engine.merge(5, bytes("c"), value("3", 1, 1));

        Map<String, Entry> partitionZero = new HashMap<>();
        engine.forEachEntry(0, (key, entry) -> partitionZero.put(new String(key, StandardCharsets.UTF_8), entry));
        List<String> partitionFive = new ArrayList<>();
        engine.forEachEntry(5, (key, entry) -> partitionFive.add(new String(key, StandardCharsets.UTF_8)));
        List<String> partitionNine = new ArrayList<>();
        engine.forEachEntry(9, (key, entry) -> partitionNine.add(new String(key, StandardCharsets.UTF_8)));

        assertThat(partitionZero).containsOnlyKeys("a", "b");
        assertThat(partitionZero.get("b")).isEqualTo(value("2", 1, 1));
        assertThat(partitionFive).containsExactly("c");
        assertThat(partitionNine).isEmpty();
        assertThat(engine.keyCount()).isEqualTo(3);
    }

    @Test
    void bytesGrowWithDataAndShrinkOnDelete() {
        long empty = engine.bytes();
        engine.merge(1, bytes("k"), Entry.value(new byte[10_000], new Version(1, 1)));
        long full = engine.bytes();
        engine.merge(1, bytes("k"), Entry.tombstone(new Version(2, 1)));

        assertThat(full).isGreaterThanOrEqualTo(empty + 10_000);
        assertThat(engine.bytes()).isLessThan(full);
    }

    @Test
    void emptyKeyAndEmptyValueAreOrdinaryData() {
        engine.merge(0, new byte[0], Entry.value(new byte[0], new Version(1, 1)));

        Entry stored = engine.get(0, new byte[0]);
        assertThat(stored).isNotNull();
        assertThat(stored.isTombstone()).isFalse();
        assertThat(stored.value()).isEmpty();
    }

    @Test
    void largeKeysAndValuesRoundTrip() {
        byte[] key = new byte[1 << 20];
        byte[] value = new byte[1 << 20];
        key[12345] = 7;
        value[54321] = 9;
        engine.merge(4, key, Entry.value(value, new Version(5, 1)));

        byte[] sameKey = key.clone();
        assertThat(engine.get(4, sameKey).value()).isEqualTo(value);
    }
}
