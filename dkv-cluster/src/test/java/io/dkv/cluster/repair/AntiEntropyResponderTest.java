package io.dkv.cluster.repair;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.cluster.runtime.Clock;
import io.dkv.core.Entry;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.KeyDigests;
import io.dkv.core.message.KeyDigestsReply;
import io.dkv.core.message.MerkleLeavesReply;
import io.dkv.core.message.MerkleRootRequest;
import io.dkv.core.message.MerkleRootsReply;
import io.dkv.core.message.MerkleRootsRequest;
import io.dkv.core.storage.MemoryStorageEngine;
import io.dkv.core.version.HybridLogicalClock;
import io.dkv.core.version.EntryVersion;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The answering side of anti-entropy, without a network: its replies must always fit the
 * internode frame limit (a bigger frame closes the connection and every request on it), it
 * must make progress (at least one entry per reply when it has any), and it must not offer
 * a tombstone past the grace period to a peer that may have purged it.
 */
class AntiEntropyResponderTest {

    private static final int PARTITIONS = 4;
    private static final int PARTITION = 2;
    private static final int MIB = 1 << 20;
    private static final long GRACE = 60_000;
    /** Upper bound of what the wire format adds to one entry (lengths, version, flags) or one wanted key. */
    private static final int PER_ITEM_OVERHEAD = 64;
    private static final int HEADER = 64;
    private static final int[] ALL_LEAVES = IntStream.range(0, MerkleTrees.LEAVES).toArray();

    private final MemoryStorageEngine storage = MemoryStorageEngine.unlimited(PARTITIONS);
    private final FixedClock clock = new FixedClock(1_700_000_000_000L);

    /**
     * 40 values of 1 MiB in one partition; the asker holds none of them but has 300 keys of
     * 4 KiB the responder lacks. Each reply must fit {@code maxMessageBytes}; the asker takes
     * what it is sent and asks again until a reply is complete, and must then hold everything.
     */
    @ParameterizedTest(name = "maxMessageBytes = max value + headroom + {0} MiB")
    @ValueSource(ints = {0, 1, 3})
    void repliesNeverExceedTheMessageLimitAndEveryOneMakesProgress(int extraMebibytes) {
        int maxMessageBytes = 4096 + MIB + ClusterConfig.MESSAGE_HEADROOM_BYTES + extraMebibytes * MIB;
        for (int i = 0; i < 40; i++) {
            storage.merge(PARTITION, key("big-" + i), Entry.value(filled(MIB, i), version(i + 1)));
        }
        AntiEntropyResponder responder = responder(maxMessageBytes, 1_000);
        Map<ByteBuffer, Entry> asker = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            asker.put(ByteBuffer.wrap(paddedKey("asker-only-" + i, 4096)), Entry.value(new byte[]{1}, version(100)));
        }

        int exchanges = 0;
        Set<ByteBuffer> wanted = new HashSet<>();
        KeyDigestsReply reply;
        do {
            long missing = IntStream.range(0, 40).filter(i -> !asker.containsKey(ByteBuffer.wrap(key("big-" + i)))).count();
            reply = ask(responder, digestsOf(asker));
            exchanges++;
            assertThat(encodedSizeBound(reply)).as("exchange %d: upper bound of the reply's encoded size", exchanges)
                    .isLessThanOrEqualTo(maxMessageBytes);
            if (missing > 0) {
                assertThat(reply.newerKeys()).as("exchange %d carries at least one entry", exchanges).isNotEmpty();
            }
            if (reply.newerKeys().length < missing) {
                assertThat(reply.complete()).as("exchange %d left entries out", exchanges).isFalse();
            }
            for (int i = 0; i < reply.newerKeys().length; i++) {
                asker.put(ByteBuffer.wrap(reply.newerKeys()[i]), reply.newerEntries()[i]);
            }
            // The asker then sends what the responder wants, as AntiEntropy does.
            for (byte[] key : reply.wantedKeys()) {
                wanted.add(ByteBuffer.wrap(key));
                storage.merge(PARTITION, key, asker.get(ByteBuffer.wrap(key)));
            }
            assertThat(exchanges).as("exchanges before a complete reply").isLessThanOrEqualTo(80);
        } while (!reply.complete());

        for (int i = 0; i < 40; i++) {
            assertThat(asker.get(ByteBuffer.wrap(key("big-" + i)))).as("big-%d reached the asker", i)
                    .isEqualTo(storage.get(PARTITION, key("big-" + i)));
        }
        assertThat(wanted).as("every key only the asker had was asked for").hasSize(300);
    }

    @Test
    void entriesNearTheLimitGoOneAtATime() {
        int maxMessageBytes = 1024 + MIB + ClusterConfig.MESSAGE_HEADROOM_BYTES;
        storage.merge(PARTITION, paddedKey("a", 1024), Entry.value(new byte[MIB], version(1)));
        storage.merge(PARTITION, paddedKey("b", 1024), Entry.value(new byte[MIB], version(2)));
        AntiEntropyResponder responder = responder(maxMessageBytes, 1_000);

        KeyDigestsReply reply = ask(responder, new KeyDigests(PARTITION, ALL_LEAVES, new byte[0][], new EntryVersion[0]));

        assertThat(reply.newerKeys().length).isEqualTo(1);
        assertThat(reply.complete()).isFalse();
        assertThat(encodedSizeBound(reply)).isLessThanOrEqualTo(maxMessageBytes);
    }

    /**
     * Values may be up to max-value-bytes (16 MiB by default), more than the 4 MiB a reply
     * normally carries: such an entry must still go, alone, or the replicas never converge.
     */
    @Test
    void aValueBiggerThanTheBatchStillGoesAlone() {
        int maxMessageBytes = ClusterConfig.builder().build().maxMessageBytes();
        for (int i = 0; i < 3; i++) {
            storage.merge(PARTITION, key("huge-" + i), Entry.value(new byte[5 * MIB], version(i + 1)));
        }
        AntiEntropyResponder responder = responder(maxMessageBytes, 1_000);
        Map<ByteBuffer, Entry> asker = new HashMap<>();

        for (int exchange = 1; exchange <= 3; exchange++) {
            KeyDigestsReply reply = ask(responder, digestsOf(asker));
            assertThat(reply.newerKeys().length).as("exchange %d", exchange).isEqualTo(1);
            assertThat(reply.complete()).as("exchange %d", exchange).isEqualTo(exchange == 3);
            assertThat(encodedSizeBound(reply)).isLessThanOrEqualTo(maxMessageBytes);
            asker.put(ByteBuffer.wrap(reply.newerKeys()[0]), reply.newerEntries()[0]);
        }
    }

    @Test
    void theKeyLimitCutsToo() {
        for (int i = 0; i < 10; i++) {
            storage.merge(PARTITION, key("k" + i), Entry.value(new byte[10], version(1)));
        }
        AntiEntropyResponder responder = responder(ClusterConfig.builder().build().maxMessageBytes(), 3);

        KeyDigestsReply reply = ask(responder, new KeyDigests(PARTITION, ALL_LEAVES, new byte[0][], new EntryVersion[0]));

        assertThat(reply.newerKeys().length).isEqualTo(3);
        assertThat(reply.complete()).isFalse();
    }

    @Test
    void nothingToOfferIsCompleteAndEmpty() {
        AntiEntropyResponder responder = responder(ClusterConfig.builder().build().maxMessageBytes(), 1_000);

        KeyDigestsReply reply = ask(responder, new KeyDigests(PARTITION, ALL_LEAVES, new byte[0][], new EntryVersion[0]));

        assertThat(reply.newerKeys()).isEmpty();
        assertThat(reply.wantedKeys()).isEmpty();
        assertThat(reply.complete()).isTrue();
    }

    /** Tombstone cases: what the responder holds, what the asker holds, whether it is offered. */
    @Test
    void aTombstonePastTheGracePeriodIsOfferedOnlyToAnAskerHoldingAnOlderVersion() {
        long deletedAt = clock.now;
        byte[] doomed = key("doomed");
        byte[] fresh = key("fresh");
        byte[] value = key("value");
        Entry oldTombstone = Entry.tombstone(new Version(HybridLogicalClock.stampOf(deletedAt), 1));
        storage.merge(PARTITION, doomed, oldTombstone);
        storage.merge(PARTITION, value, Entry.value(new byte[]{7}, new Version(HybridLogicalClock.stampOf(deletedAt), 1)));
        clock.now = deletedAt + GRACE + 1;
        Entry freshTombstone = Entry.tombstone(new Version(HybridLogicalClock.stampOf(clock.now - 10), 2));
        storage.merge(PARTITION, fresh, freshTombstone);
        AntiEntropyResponder responder = responder(ClusterConfig.builder().build().maxMessageBytes(), 1_000);

        KeyDigestsReply toAnAskerLackingAll = ask(responder, 
                new KeyDigests(PARTITION, ALL_LEAVES, new byte[0][], new EntryVersion[0]));
        assertThat(keys(toAnAskerLackingAll)).as("past grace: not offered to an asker without the key")
                .containsExactlyInAnyOrder("fresh", "value");
        assertThat(toAnAskerLackingAll.complete()).isTrue();

        Version older = new Version(HybridLogicalClock.stampOf(deletedAt - 5_000), 3);
        KeyDigestsReply toAnAskerHoldingOlder = ask(responder, 
                new KeyDigests(PARTITION, ALL_LEAVES, new byte[][]{doomed}, new EntryVersion[]{EntryVersion.of(older)}));
        assertThat(keys(toAnAskerHoldingOlder)).as("past grace: offered to an asker holding an older version")
                .containsExactlyInAnyOrder("doomed", "fresh", "value");
        int doomedAt = List.of(toAnAskerHoldingOlder.newerKeys()).stream().map(AntiEntropyResponderTest::text).toList()
                .indexOf("doomed");
        assertThat(toAnAskerHoldingOlder.newerEntries()[doomedAt]).isEqualTo(oldTombstone);

        KeyDigestsReply toAnAskerHoldingIt = ask(responder, 
                new KeyDigests(PARTITION, ALL_LEAVES, new byte[][]{doomed}, new EntryVersion[]{oldTombstone.versions()}));
        assertThat(keys(toAnAskerHoldingIt)).containsExactlyInAnyOrder("fresh", "value");
        assertThat(toAnAskerHoldingIt.wantedKeys()).isEmpty();
    }

    @Test
    void keysTheAskerHoldsNewerOrAloneAreWanted() {
        storage.merge(PARTITION, key("shared"), Entry.value(new byte[]{1}, version(1)));
        AntiEntropyResponder responder = responder(ClusterConfig.builder().build().maxMessageBytes(), 1_000);

        KeyDigestsReply reply = ask(responder, new KeyDigests(PARTITION, ALL_LEAVES,
                new byte[][]{key("shared"), key("theirs")}, new EntryVersion[]{EntryVersion.of(version(2)), EntryVersion.of(version(1))}));

        assertThat(reply.newerKeys()).isEmpty();
        assertThat(texts(reply.wantedKeys())).containsExactlyInAnyOrder("shared", "theirs");
    }

    @Test
    void aPartitionWhoseTreeIsNotBuiltIsNotComparedButAnsweredWithAnError() {
        storage.merge(PARTITION, key("k"), Entry.value(new byte[]{1}, version(1)));
        MerkleTrackingStorage tracking = new MerkleTrackingStorage(storage, MerkleTrees.unbuilt(PARTITIONS));
        AntiEntropyResponder responder = new AntiEntropyResponder(tracking, tracking.trees(),
                MessageLimits.of(ClusterConfig.builder().build().maxMessageBytes(), 1_000), clock, GRACE);
        long emptyRoot = MerkleTrees.empty(PARTITIONS).root(PARTITION);

        assertThat(responder.onRootRequest(new MerkleRootRequest(PARTITION, emptyRoot)))
                .as("not built: neither SAME nor leaves, which the asker would act on")
                .isInstanceOfSatisfying(ErrorReply.class, error -> assertThat(error.message()).contains("not built"));

        tracking.build(PARTITION);

        assertThat(responder.onRootRequest(new MerkleRootRequest(PARTITION, emptyRoot)))
                .isInstanceOfSatisfying(MerkleLeavesReply.class, leaves -> assertThat(leaves.same()).isFalse());
        assertThat(responder.onRootRequest(new MerkleRootRequest(PARTITION, tracking.trees().root(PARTITION))))
                .isEqualTo(MerkleLeavesReply.SAME);
    }

    @Test
    void aRootsRequestNamesThePartitionsThatDifferAndThoseNotBuilt() {
        storage.merge(1, key("one"), Entry.value(new byte[]{1}, version(1)));
        storage.merge(PARTITION, key("two"), Entry.value(new byte[]{2}, version(1)));
        MerkleTrackingStorage tracking = new MerkleTrackingStorage(storage, MerkleTrees.unbuilt(PARTITIONS));
        tracking.build(0);
        tracking.build(1);
        tracking.build(PARTITION);
        AntiEntropyResponder responder = new AntiEntropyResponder(tracking, tracking.trees(),
                MessageLimits.of(ClusterConfig.builder().build().maxMessageBytes(), 1_000), clock, GRACE);
        MerkleTrees trees = tracking.trees();

        MerkleRootsReply reply = (MerkleRootsReply) responder.onRootsRequest(new MerkleRootsRequest(
                new int[]{0, 1, PARTITION, 3}, new long[]{trees.root(0), trees.root(1), trees.root(PARTITION) ^ 1, 0}));

        assertThat(reply.differing()).containsExactly(PARTITION);
        assertThat(reply.notBuilt()).as("partition 3 was never built here").containsExactly(3);
        assertThat(responder.onRootsRequest(new MerkleRootsRequest(new int[]{PARTITIONS}, new long[]{0})))
                .isInstanceOfSatisfying(ErrorReply.class, error -> assertThat(error.message()).contains("no partition"));
    }

    private AntiEntropyResponder responder(int maxMessageBytes, int maxKeys) {
        return new AntiEntropyResponder(storage, MerkleTrees.of(storage, PARTITIONS), MessageLimits.of(maxMessageBytes, maxKeys),
                clock, GRACE);
    }

    private static KeyDigests digestsOf(Map<ByteBuffer, Entry> held) {
        byte[][] keys = new byte[held.size()][];
        EntryVersion[] versions = new EntryVersion[held.size()];
        int i = 0;
        for (Map.Entry<ByteBuffer, Entry> entry : held.entrySet()) {
            keys[i] = entry.getKey().array();
            versions[i++] = entry.getValue().versions();
        }
        return new KeyDigests(PARTITION, ALL_LEAVES, keys, versions);
    }

    /** At least what the reply takes on the wire: every key and value plus generous per-item overhead. */
    private static long encodedSizeBound(KeyDigestsReply reply) {
        long bytes = HEADER;
        for (int i = 0; i < reply.newerKeys().length; i++) {
            Entry entry = reply.newerEntries()[i];
            bytes += reply.newerKeys()[i].length + (entry.value() == null ? 0 : entry.value().length) + PER_ITEM_OVERHEAD;
        }
        for (byte[] wanted : reply.wantedKeys()) {
            bytes += wanted.length + PER_ITEM_OVERHEAD;
        }
        return bytes;
    }

    private static List<String> keys(KeyDigestsReply reply) {
        return texts(reply.newerKeys());
    }

    private static List<String> texts(byte[][] keys) {
        return List.of(keys).stream().map(AntiEntropyResponderTest::text).toList();
    }

    private static KeyDigestsReply ask(AntiEntropyResponder responder, KeyDigests request) {
        return (KeyDigestsReply) responder.onKeyDigests(request);
    }

    private Version version(int tick) {
        return new Version(HybridLogicalClock.stampOf(clock.now) + tick, 1);
    }

    private static byte[] key(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] paddedKey(String text, int length) {
        byte[] key = new byte[length];
        byte[] prefix = key(text);
        System.arraycopy(prefix, 0, key, 0, prefix.length);
        return key;
    }

    private static byte[] filled(int length, int seed) {
        byte[] value = new byte[length];
        java.util.Arrays.fill(value, (byte) seed);
        return value;
    }

    private static String text(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    private static final class FixedClock implements Clock {
        long now;

        FixedClock(long now) {
            this.now = now;
        }

        @Override
        public long wallMillis() {
            return now;
        }

        @Override
        public long monotonicMillis() {
            return now;
        }

        @Override
        public long monotonicNanos() {
            return now * 1_000_000;
        }
    }
}
