package io.dkv.cluster.keyspace;

import io.dkv.core.Entry;
import io.dkv.core.message.KeyScanReply;
import io.dkv.core.message.KeyScanRequest;
import io.dkv.core.ring.KeyHash;
import io.dkv.core.storage.MemoryStorageEngine;
import io.dkv.core.storage.StreamOrder;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A replica's page of a key scan: its limits, where it resumes, and what it carries. */
class KeyScansTest {

    private final MemoryStorageEngine storage = MemoryStorageEngine.unlimited(1);
    /** A byte limit that holds five of this test's keys ("key-0" to "key-99") with their entry overhead, never six. */
    private static final int FIVE_KEYS_OF_BYTES = 5 * (6 + Entry.OVERHEAD_BYTES) + 4;

    private final List<byte[]> inOrder = new ArrayList<>();

    KeyScansTest() {
        for (int i = 0; i < 100; i++) {
            byte[] key = ("key-" + i).getBytes(StandardCharsets.UTF_8);
            Version version = new Version(1_000L << 16, 1);
            storage.merge(0, key, i % 10 == 0 ? Entry.tombstone(version) : Entry.value(new byte[500], version));
            inOrder.add(key);
        }
        inOrder.sort(StreamOrder::compare);
    }

    @Test
    void aPageStopsAtItsKeyLimitAndNamesTheFirstKeyLeftOut() {
        KeyScanReply page = KeyScans.page(storage, new KeyScanRequest(0, 0, 10, 1 << 20, 1));

        assertThat(List.of(page.keys())).containsExactlyElementsOf(inOrder.subList(0, 10));
        assertThat(page.last()).isFalse();
        assertThat(page.resumeHash()).isEqualTo(KeyHash.of(inOrder.get(10)));
        assertThat(page.entries()).allSatisfy(entry -> assertThat(entry.isTombstone() || entry.value().length == 0)
                .as("values stay on the replica").isTrue());
        assertThat(page.entries()).anyMatch(Entry::isTombstone);
    }

    @Test
    void aPageHoldsOneKeyHoweverSmallItsByteLimit() {
        KeyScanReply page = KeyScans.page(storage, new KeyScanRequest(0, KeyHash.of(inOrder.get(42)), 100, 1, 1));

        assertThat(List.of(page.keys())).containsExactly(inOrder.get(42));
        assertThat(page.resumeHash()).isEqualTo(KeyHash.of(inOrder.get(43)));
    }

    @Test
    void pagesFromEachResumeHashCoverThePartitionOnce() {
        List<byte[]> seen = new ArrayList<>();
        long from = 0;
        int pages = 0;
        while (true) {
            KeyScanReply page = KeyScans.page(storage, new KeyScanRequest(0, from, 7, FIVE_KEYS_OF_BYTES, 1));
            seen.addAll(List.of(page.keys()));
            pages++;
            if (page.last()) {
                break;
            }
            from = page.resumeHash();
        }
        assertThat(seen).containsExactlyElementsOf(inOrder);
        // The byte limit holds 5 keys (5 or 6 bytes each) with their entry overhead, fewer than the 7 allowed.
        assertThat(pages).isEqualTo(20);
    }
}
