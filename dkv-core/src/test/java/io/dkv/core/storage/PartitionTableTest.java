package io.dkv.core.storage;

import io.dkv.core.Entry;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class PartitionTableTest {

    @Test
    void growsWithItsKeysAndShrinksWhenTheyGo() {
        PartitionTable table = new PartitionTable();
        int initial = table.capacity();
        for (int i = 0; i < 10_000; i++) {
            put(table, "key" + i, i);
        }
        assertThat(table.capacity()).isBetween(10_000 * 4 / 3, 10_000 * 4);
        for (int i = 0; i < 10_000; i++) {
            assertThat(value(table, "key" + i)).isEqualTo(i);
        }

        for (int i = 0; i < 9_990; i++) {
            assertThat(table.removeIf(key("key" + i), entry -> true)).isNotNull();
        }

        assertThat(table.capacity()).isLessThanOrEqualTo(64).isGreaterThanOrEqualTo(initial);
        for (int i = 9_990; i < 10_000; i++) {
            assertThat(value(table, "key" + i)).isEqualTo(i);
        }
        assertThat(table.find(key("key0"))).isNull();
    }

    @Test
    void removedSlotsAreWalkedPastAndReused() {
        PartitionTable table = new PartitionTable();
        int capacity = table.capacity();
        // Far more inserts and removals than slots, never more than a few keys at once: the
        // removed slots are reused or swept by a rebuild, and the table never grows.
        for (int i = 0; i < 1_000; i++) {
            put(table, "key" + i, i);
            if (i >= 4) {
                assertThat(table.removeIf(key("key" + (i - 4)), entry -> true)).isNotNull();
            }
            for (int live = Math.max(0, i - 3); live <= i; live++) {
                assertThat(value(table, "key" + live)).isEqualTo(live);
            }
        }
        assertThat(table.capacity()).isEqualTo(capacity);
    }

    @Test
    void removeIfKeepsTheKeyWhenTheTestRefuses() {
        PartitionTable table = new PartitionTable();
        put(table, "k", 1);

        assertThat(table.removeIf(key("k"), entry -> false)).isNull();
        assertThat(table.removeIf(key("absent"), entry -> true)).isNull();
        assertThat(value(table, "k")).isEqualTo(1);
    }

    @Test
    void anUpdateThatStoresNothingLeavesTheEntry() {
        PartitionTable table = new PartitionTable();
        put(table, "k", 1);

        MergeResult result = table.update(key("k"), current -> null);

        assertThat(result.applied()).isFalse();
        assertThat(result.previous().version().stamp()).isEqualTo(1);
        assertThat(value(table, "k")).isEqualTo(1);
    }

    /**
     * A reader without a lock must always find keys nobody touches while a writer inserts and
     * removes thousands of others around them, through many resizes both ways.
     */
    @Test
    void readersFindUntouchedKeysThroughResizesAndRemovals() throws Exception {
        PartitionTable table = new PartitionTable();
        Map<String, Integer> stable = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            put(table, "stable" + i, i);
            stable.put("stable" + i, i);
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<String> missed = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        Thread reader = new Thread(() -> {
            while (writing.get() && missed.get() == null) {
                for (Map.Entry<String, Integer> each : stable.entrySet()) {
                    Object record = table.find(key(each.getKey()));
                    if (record == null || EntryRecords.decode(record).version().stamp() != each.getValue()) {
                        missed.set(each.getKey());
                    }
                    reads.incrementAndGet();
                }
            }
        });
        reader.start();
        try {
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 2_000; i++) {
                    put(table, "churn" + i, i);
                }
                for (int i = 0; i < 2_000; i++) {
                    table.removeIf(key("churn" + i), entry -> true);
                }
            }
        } finally {
            writing.set(false);
            reader.join();
        }

        assertThat(missed.get()).as("a reader missed a key that was there all along").isNull();
        assertThat(reads.get()).isPositive();
    }

    private static void put(PartitionTable table, String key, long stamp) {
        table.update(key(key), current -> Entry.value(key("value of " + key), new Version(stamp, 1)));
    }

    private static long value(PartitionTable table, String key) {
        Object record = table.find(key(key));
        assertThat(record).as(key).isNotNull();
        Entry entry = EntryRecords.decode(record);
        assertThat(entry.value()).isEqualTo(key("value of " + key));
        return entry.version().stamp();
    }

    private static byte[] key(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
