package io.dkv.cluster.truncate;

import io.dkv.cluster.handoff.Hint;
import io.dkv.cluster.handoff.MemoryHintStore;
import io.dkv.cluster.replica.ReplicaEndpoints;
import io.dkv.cluster.runtime.RequestTransport;
import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.NodeId;
import io.dkv.core.hash.Field;
import io.dkv.core.hash.HashFields;
import io.dkv.core.message.DigestReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadReply;
import io.dkv.core.message.ReadRequest;
import io.dkv.core.storage.MemoryStorageEngine;
import io.dkv.core.storage.MergeResult;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The mark's rule where it is applied: the store, the hint store, and peers' read replies. */
class TruncationRulesTest {

    private static final long MARK = 1_000;
    private static final Version BEFORE = new Version(MARK - 1, 2);
    private static final Version AT = new Version(MARK, 3);
    private static final Version AFTER = new Version(MARK + 1, 1);

    private final TruncationRegister marks = new TruncationRegister(new MemoryTruncationMarkStore());
    private final MemoryStorageEngine engine = MemoryStorageEngine.unlimited(4);
    private final TruncatingStorage storage = new TruncatingStorage(engine, marks);

    /** A hash written across the flush: the store, a merge and a replica's read reply all drop the older fields. */
    @Test
    void aHashKeepsOnlyTheFieldsWrittenAfterTheFlush() {
        Entry before = Entry.fieldsOnly(HashFields.of(bytes("a"), new Field(bytes("1"), BEFORE)));
        Entry after = Entry.fieldsOnly(HashFields.of(bytes("b"), new Field(bytes("2"), AFTER)));
        storage.merge(0, bytes("h"), before);
        storage.merge(0, bytes("stored-both"), Entry.merge(before, after));
        assertThat(marks.raise(MARK)).isTrue();

        assertThat(storage.get(0, bytes("h"))).isNull();
        storage.merge(0, bytes("h"), after);
        assertThat(storage.get(0, bytes("h")).fields().live()).hasSize(1);
        assertThat(storage.get(0, bytes("h")).fields().get(bytes("a"))).isNull();
        assertThat(storage.get(0, bytes("stored-both")).fields().get(bytes("a"))).as("stripped when read").isNull();

        Message shown = marks.visible(new ReadReply(Entry.merge(before, after)));
        assertThat(((ReadReply) shown).entry().fields().get(bytes("a"))).as("a replica that missed the flush").isNull();
        assertThat(((ReadReply) shown).entry().fields().get(bytes("b"))).isNotNull();
        assertThat(marks.visible(new ReadReply(before))).isEqualTo(ReadReply.MISSING);
    }

    @Test
    void theStoreHidesWhatTheMarkCoversAndNeverTakesItBack() {
        storage.merge(0, bytes("old"), Entry.value(bytes("v"), BEFORE));
        storage.merge(0, bytes("at"), Entry.value(bytes("v"), AT));
        storage.merge(0, bytes("new"), Entry.value(bytes("v"), AFTER));
        assertThat(marks.raise(MARK)).isTrue();
        assertThat(marks.raise(MARK - 5)).isFalse();

        assertThat(storage.get(0, bytes("old"))).isNull();
        assertThat(storage.get(0, bytes("at"))).isNull();
        assertThat(storage.get(0, bytes("new"))).isNotNull();
        assertThat(engine.get(0, bytes("old"))).as("still stored until dropped").isNotNull();
        List<String> visited = new ArrayList<>();
        storage.forEachEntry(0, (key, entry) -> visited.add(new String(key, StandardCharsets.UTF_8)));
        storage.scanAfter(0, null, (key, entry) -> visited.add(new String(key, StandardCharsets.UTF_8)));
        assertThat(visited).containsExactly("new", "new");

        // A repair, hint or stream of an old entry is forgotten; a newer write replaces a hidden one.
        MergeResult resurrect = storage.merge(0, bytes("gone"), Entry.value(bytes("v"), BEFORE));
        assertThat(resurrect.applied()).isFalse();
        assertThat(engine.get(0, bytes("gone"))).isNull();
        MergeResult overwrite = storage.merge(0, bytes("old"), Entry.tombstone(AFTER));
        assertThat(overwrite.applied()).isTrue();
        assertThat(overwrite.hadValue()).as("the flushed value does not count as there").isFalse();
    }

    @Test
    void aStreamedChunkAndAKeyScanSkipWhatTheMarkHides() {
        storage.merge(0, bytes("old"), Entry.value(bytes("v"), BEFORE));
        marks.raise(MARK);

        byte[][] keys = {bytes("streamed-old"), bytes("old"), bytes("streamed-new")};
        Entry[] entries = {Entry.value(bytes("v"), BEFORE), Entry.tombstone(AFTER), Entry.value(bytes("v"), AFTER)};
        MergeResult[] results = new MergeResult[3];
        storage.mergeAll(0, keys, entries, results);

        assertThat(results[0].applied()).as("a flushed entry in a stream is forgotten").isFalse();
        assertThat(engine.get(0, bytes("streamed-old"))).isNull();
        assertThat(results[1].applied()).isTrue();
        assertThat(results[1].hadValue()).as("the flushed value does not count as there").isFalse();
        assertThat(results[2].applied()).isTrue();
        assertThat(engine.get(0, bytes("streamed-new"))).isNotNull();

        storage.merge(0, bytes("old-again"), Entry.value(bytes("v"), AFTER));
        engine.merge(0, bytes("hidden"), Entry.value(bytes("v"), BEFORE));
        List<String> scanned = new ArrayList<>();
        storage.scanFrom(0, 0, (key, entry) -> scanned.add(new String(key, StandardCharsets.UTF_8)));
        assertThat(scanned).containsExactlyInAnyOrder("old", "streamed-new", "old-again");
    }

    @Test
    void theDropperRemovesExactlyTheHiddenEntries() {
        storage.merge(1, bytes("old"), Entry.value(bytes("v"), BEFORE));
        storage.merge(2, bytes("new"), Entry.value(bytes("v"), AFTER));
        marks.raise(MARK);
        TruncationDropper dropper = new TruncationDropper(engine, 4, new DirectScheduler(), storage::dropped);
        assertThat(engine.keyCount(1)).as("the engine still counts the hidden key").isEqualTo(1);
        assertThat(storage.keyCount(1)).as("a partition's count skips it before the drop").isZero();

        assertThat(dropper.drop(marks.current()).join()).isEqualTo(1);
        assertThat(engine.get(1, bytes("old"))).isNull();
        assertThat(engine.get(2, bytes("new"))).isNotNull();
        assertThat(storage.keyCount(1)).isZero();
        assertThat(storage.keyCount(2)).isEqualTo(1);
    }

    @Test
    void hintsBelowTheMarkAreNeitherKeptNorReplayed() {
        MemoryHintStore raw = new MemoryHintStore(100, 1 << 20);
        TruncatingHintStore hints = new TruncatingHintStore(raw, marks);
        NodeId target = NodeId.of(2);
        hints.store(new Hint(target, 0, bytes("kept-before"), Entry.value(bytes("v"), BEFORE), 0));
        hints.store(new Hint(target, 0, bytes("newer"), Entry.value(bytes("v"), AFTER), 0));
        marks.raise(MARK);

        assertThat(hints.store(new Hint(target, 0, bytes("late"), Entry.value(bytes("v"), AT), 0))).isTrue();
        assertThat(raw.get(target, 0, bytes("late"))).isNull();
        assertThat(hints.batch(target, 10)).extracting(hint -> new String(hint.key(), StandardCharsets.UTF_8))
                .containsExactly("newer");
        assertThat(raw.count()).as("the hidden hint was discarded").isEqualTo(1);
    }

    @Test
    void aPeerThatHasNotHeardOfTheFlushCannotShowAFlushedValue() {
        List<Message> answers = new ArrayList<>(List.of(new ReadReply(Entry.value(bytes("v"), BEFORE)),
                new DigestReply(AT, false, Expiry.never(AT)), new ReadReply(Entry.value(bytes("v"), AFTER))));
        RequestTransport peer = (to, request, timeoutMillis) -> CompletableFuture.completedFuture(answers.remove(0));
        ReplicaEndpoints endpoints = new ReplicaEndpoints(NodeId.of(1), null, peer, 100, marks::visible);
        marks.raise(MARK);
        ReadRequest read = new ReadRequest(0, bytes("k"), false, 0);

        assertThat(endpoints.request(NodeId.of(2), read).join()).isEqualTo(ReadReply.MISSING);
        assertThat(endpoints.request(NodeId.of(2), read).join()).isEqualTo(DigestReply.MISSING);
        assertThat(((ReadReply) endpoints.request(NodeId.of(2), read).join()).entry().version()).isEqualTo(AFTER);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs tasks at once, on the caller's thread. */
    private static final class DirectScheduler implements io.dkv.cluster.runtime.Scheduler {
        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public io.dkv.cluster.runtime.Cancellable schedule(long delayMillis, Runnable task) {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.dkv.cluster.runtime.Cancellable scheduleAtFixedRate(long initialDelayMillis, long periodMillis,
                                                                      Runnable task) {
            throw new UnsupportedOperationException();
        }
    }
}
