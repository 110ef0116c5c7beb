package io.dkv.server.net;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.NodeId;
import io.dkv.core.message.DigestReply;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Gossip;
import io.dkv.core.message.KeyDigests;
import io.dkv.core.message.KeyDigestsReply;
import io.dkv.core.message.MerkleLeavesReply;
import io.dkv.core.message.MerkleRootRequest;
import io.dkv.core.message.MerkleRootsReply;
import io.dkv.core.message.MerkleRootsRequest;
import io.dkv.core.message.TombstoneCheck;
import io.dkv.core.message.TombstoneCheckReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.NodeLoad;
import io.dkv.core.message.MoveStatus;
import io.dkv.core.message.MoveStatusRequest;
import io.dkv.core.message.TruncateReply;
import io.dkv.core.message.TruncateRequest;
import io.dkv.core.message.NotMine;
import io.dkv.core.message.ReadReply;
import io.dkv.core.message.ReadRequest;
import io.dkv.core.message.KeyCountReply;
import io.dkv.core.message.KeyCountRequest;
import io.dkv.core.message.KeyScanReply;
import io.dkv.core.message.KeyScanRequest;
import io.dkv.core.message.StreamChunk;
import io.dkv.core.message.StreamRequest;
import io.dkv.core.message.WriteReply;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.version.EntryVersion;
import io.dkv.core.version.Version;
import io.dkv.testkit.Seeds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link FrameEncoder} and {@link FrameDecoder} (with {@link MessageCodec} and
 * {@link WireFormat} under them) on an {@link EmbeddedChannel}: every message survives the
 * round trip, and every kind of broken frame is refused with a decoder exception.
 */
class FrameCodecTest {

    private static final int MAX_FRAME = 64 * 1024;
    /** Offsets inside an encoded frame: length, version, kind, correlation id, message type. */
    private static final int VERSION_AT = 4;
    private static final int KIND_AT = 5;
    private static final int MESSAGE_TYPE_AT = 4 + FrameEncoder.HEADER_BYTES;

    private static final Version VERSION = new Version(123_456_789L << 16 | 7, 3);

    static Stream<Message> messages() {
        byte[] value = new byte[5000];
        new SplittableRandom(3).nextBytes(value);
        return Stream.of(
                new WriteRequest(17, bytes("key"), Entry.value(bytes("value"), VERSION)),
                new WriteRequest(0, new byte[0], Entry.value(new byte[0], VERSION)),
                new WriteRequest(4095, bytes("big"), Entry.value(value, VERSION)),
                new WriteRequest(17, bytes("deleted"), Entry.tombstone(VERSION)),
                new WriteRequest(9, bytes("hinted"), Entry.value(bytes("v"), VERSION), NodeId.of(2)),
                new WriteRequest(9, bytes("hinted-delete"), Entry.tombstone(new Version(Long.MAX_VALUE, Integer.MAX_VALUE)),
                        NodeId.of(5)),
                WriteReply.stored(true, VERSION),
                WriteReply.stored(false, VERSION),
                WriteReply.HINT_KEPT,
                new WriteReply(false, VERSION, true),
                new ReadRequest(3, bytes("key")),
                new ReadRequest(3, bytes("key"), true),
                DigestReply.MISSING,
                new DigestReply(VERSION, false, Expiry.never(VERSION)),
                new DigestReply(VERSION, true, Expiry.at(1_700_000_060_000L, new Version(9, 2))),
                new DigestReply(Version.ZERO, true, Expiry.at(1, VERSION)),
                new DigestReply(Version.ZERO, true, Expiry.ABSENT, new Version(12, 3), 0x1234_5678_9abc_def0L),
                ReadReply.MISSING,
                new ReadReply(Entry.value(bytes("value"), VERSION)),
                new ReadReply(Entry.tombstone(VERSION)),
                new ReadReply(Entry.expiring(bytes("cached"), VERSION, 1_700_000_060_000L)),
                new ReadReply(Entry.keepingExpiry(bytes("kept"), VERSION)),
                new WriteRequest(9, bytes("expire"), Entry.expiryOnly(Expiry.at(Long.MAX_VALUE, VERSION))),
                new WriteRequest(9, bytes("persist"), Entry.expiryOnly(Expiry.never(VERSION)), NodeId.of(3)),
                new ErrorReply("storage full: ünïcode ✓"),
                new ErrorReply(""),
                new ErrorReply("storage full", true),
                new Gossip(new int[]{1, 2, 1000}, new long[]{1_700_000_000_000L, 5, Long.MAX_VALUE},
                        new long[]{0, 42, 7}, new int[]{0, 1500, Integer.MAX_VALUE},
                        new NodeLoad[]{NodeLoad.NONE, new NodeLoad(120_000, 850, 1L << 40, 3, false), new NodeLoad(1, 2, 3, 4, true)},
                        Gossip.Kind.PUSH),
                new Gossip(new int[0], new long[0], new long[0], new int[0], new NodeLoad[0], Gossip.Kind.REPLY),
                new Gossip(new int[]{3}, new long[]{9}, new long[]{1}, new int[]{0}, new NodeLoad[]{NodeLoad.NONE},
                        Gossip.Kind.PUSH, 4, 1_700_000_000_000L << 16 | 7),
                new TruncateRequest(1_700_000_000_000L << 16, true),
                new TruncateRequest(0, false),
                new TruncateReply(Long.MAX_VALUE),
                new MerkleRootRequest(63, -1L),
                MerkleLeavesReply.SAME,
                new MerkleLeavesReply(false, new long[]{1, -2, 3, Long.MIN_VALUE}),
                new MerkleRootsRequest(new int[]{0, 7, 4095}, new long[]{0, -1L, Long.MAX_VALUE}),
                new MerkleRootsRequest(new int[0], new long[0]),
                new MerkleRootsRequest(IntStream.range(0, 4096).toArray(), LongStream.range(0, 4096).map(i -> i * 0x9E3779B97F4A7C15L).toArray()),
                new MerkleRootsReply(new int[]{7}, new int[]{0, 4095}),
                new MerkleRootsReply(new int[0], new int[0]),
                new KeyDigests(5, new int[]{0, 1023}, new byte[][]{bytes("a"), new byte[0]}, new EntryVersion[]{EntryVersion.of(VERSION), new EntryVersion(new Version(0, 0), VERSION)}),
                new KeyDigestsReply(new byte[][]{bytes("newer")}, new Entry[]{Entry.tombstone(VERSION)},
                        new byte[][]{bytes("wanted"), bytes("also")}, true),
                new KeyDigestsReply(new byte[0][], new Entry[0], new byte[0][], false),
                new TombstoneCheck(8, new byte[][]{bytes("gone")}, new EntryVersion[]{EntryVersion.of(VERSION)}),
                new TombstoneCheckReply(new boolean[]{true, false, true}),
                new StreamRequest(4095, null, 1 << 20, 1),
                new WriteRequest(7, bytes("k"), Entry.value(bytes("v"), VERSION), null, 42),
                new ReadRequest(7, bytes("k"), true, Long.MAX_VALUE),
                new NotMine(9, "partition 7 moved from [n1, n2, n3] to [n1, n2, n4]"),
                MoveStatusRequest.INSTANCE,
                new MoveStatus(12, 800, 799, 1L << 33, false),
                new StreamRequest(3, bytes("resume-after"), 1, Long.MAX_VALUE),
                new StreamChunk(new byte[][]{bytes("a"), new byte[0]},
                        new Entry[]{Entry.value(bytes("v"), VERSION), Entry.tombstone(VERSION)}, false),
                new StreamChunk(new byte[0][], new Entry[0], true),
                new KeyScanRequest(4095, -1L, 64, 1 << 20, 3),
                new KeyScanRequest(0, 0, 1, 1, Long.MAX_VALUE),
                new KeyScanReply(new byte[][]{bytes("a"), new byte[0]},
                        new Entry[]{Entry.value(new byte[0], VERSION), Entry.tombstone(VERSION)}, Long.MIN_VALUE, false),
                new KeyScanReply(new byte[0][], new Entry[0], 0, true),
                new KeyCountRequest(new int[]{0, 7, 4095}),
                new KeyCountRequest(new int[0]),
                new KeyCountReply(new long[]{0, 3, Long.MAX_VALUE}));
    }

    @ParameterizedTest
    @MethodSource("messages")
    void everyMessageSurvivesTheRoundTrip(Message message) {
        for (Frame.Kind kind : Frame.Kind.values()) {
            Frame frame = new Frame(kind, 0x1234_5678_9abcL + kind.ordinal(), message);

            Object decoded = decode(encode(frame));

            assertThat(decoded).isInstanceOf(Frame.class);
            Frame back = (Frame) decoded;
            assertThat(back.kind()).isEqualTo(kind);
            assertThat(back.correlationId()).isEqualTo(frame.correlationId());
            assertThat(back.message()).isExactlyInstanceOf(message.getClass());
            assertThat(back.message()).usingRecursiveComparison().isEqualTo(message);
        }
    }

    @Test
    void recursiveComparisonSeesADifferentKeyOrEntry() {
        // Guards the round-trip check above: it must not pass for messages that differ.
        WriteRequest original = new WriteRequest(1, bytes("a"), Entry.value(bytes("v"), VERSION), NodeId.of(2));

        assertThat(new WriteRequest(1, bytes("b"), original.entry(), NodeId.of(2)))
                .usingRecursiveComparison().isNotEqualTo(original);
        assertThat(new WriteRequest(1, bytes("a"), Entry.tombstone(VERSION), NodeId.of(2)))
                .usingRecursiveComparison().isNotEqualTo(original);
        assertThat(new WriteRequest(1, bytes("a"), original.entry(), null))
                .usingRecursiveComparison().isNotEqualTo(original);
    }

    @Test
    void handshakeSurvivesTheRoundTrip() {
        Handshake handshake = new Handshake(NodeId.of(2), NodeId.of(5), -8_765_432_101L, Handshake.NO_NONCE);
        Handshake withNonce = new Handshake(NodeId.of(2), NodeId.of(5), 7, bytes("0123456789abcdef"));

        assertThat(decode(encode(handshake))).usingRecursiveComparison().isEqualTo(handshake);
        assertThat(decode(encode(withNonce))).usingRecursiveComparison().isEqualTo(withNonce);
    }

    @Test
    void challengeAndProofSurviveTheRoundTrip() {
        Challenge challenge = new Challenge(bytes("0123456789abcdef"), new byte[32]);
        Proof proof = new Proof(bytes("proof of the secret"));

        assertThat(decode(encode(challenge))).usingRecursiveComparison().isEqualTo(challenge);
        assertThat(decode(encode(proof))).usingRecursiveComparison().isEqualTo(proof);
    }

    @Test
    void withASecretTheProofMustBeSmallToo() {
        EmbeddedChannel decoder = new EmbeddedChannel(FrameDecoder.inbound(MAX_FRAME, 2));
        decoder.writeInbound(encode(new Handshake(NodeId.of(2), NodeId.of(1), 9, bytes("0123456789abcdef"))));
        ByteBuf header = Unpooled.buffer().writeInt(FrameDecoder.MAX_HANDSHAKE_BYTES + 1);

        assertThat(decoder.<Object>readInbound()).isInstanceOf(Handshake.class);
        assertThatThrownBy(() -> decoder.writeInbound(header)).isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining("frame length " + (FrameDecoder.MAX_HANDSHAKE_BYTES + 1));
    }

    @Test
    void framesSplitAcrossReadsAndBatchedInOneRead() {
        Frame first = new Frame(Frame.Kind.REQUEST, 1, new ReadRequest(1, bytes("k1")));
        Frame second = new Frame(Frame.Kind.RESPONSE, 2, WriteReply.stored(true, VERSION));
        ByteBuf both = Unpooled.wrappedBuffer(encode(first), encode(second));
        byte[] wire = new byte[both.readableBytes()];
        both.readBytes(wire);
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(MAX_FRAME));

        for (byte b : wire) {
            decoder.writeInbound(Unpooled.wrappedBuffer(new byte[]{b}));
        }

        Frame one = decoder.readInbound();
        Frame two = decoder.readInbound();
        assertThat(one.correlationId()).isEqualTo(1);
        assertThat(((ReadRequest) one.message()).key()).isEqualTo(bytes("k1"));
        assertThat(two.message()).isEqualTo(WriteReply.stored(true, VERSION));
        assertThat(decoder.<Object>readInbound()).isNull();
    }

    @Test
    void frameOverTheMaximumLengthIsRefused() {
        Frame frame = new Frame(Frame.Kind.REQUEST, 1,
                new WriteRequest(1, bytes("k"), Entry.value(new byte[MAX_FRAME], VERSION)));

        assertDecoderRefuses(encode(frame), TooLongFrameException.class, "frame length");
    }

    @Test
    void announcedLengthOverTheMaximumIsRefusedBeforeTheBodyArrives() {
        ByteBuf header = Unpooled.buffer().writeInt(MAX_FRAME + 1);

        assertDecoderRefuses(header, TooLongFrameException.class, "frame length " + (MAX_FRAME + 1));
    }

    @Test
    void onAnInboundConnectionAFirstFrameBiggerThanAHandshakeIsRefusedFromItsLengthAlone() {
        EmbeddedChannel decoder = new EmbeddedChannel(FrameDecoder.inbound(MAX_FRAME, 1));
        ByteBuf header = Unpooled.buffer().writeInt(FrameDecoder.MAX_HANDSHAKE_BYTES + 1);

        assertThatThrownBy(() -> decoder.writeInbound(header)).isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining("frame length " + (FrameDecoder.MAX_HANDSHAKE_BYTES + 1));
    }

    @Test
    void onAnInboundConnectionFramesAfterTheHandshakeMayUseTheFullLimit() {
        EmbeddedChannel decoder = new EmbeddedChannel(FrameDecoder.inbound(MAX_FRAME, 1));
        Frame big = new Frame(Frame.Kind.REQUEST, 1,
                new WriteRequest(1, bytes("k"), Entry.value(new byte[MAX_FRAME / 2], VERSION)));

        decoder.writeInbound(encode(new Handshake(NodeId.of(2), NodeId.of(1), 9, Handshake.NO_NONCE)), encode(big));

        assertThat(decoder.<Object>readInbound()).isInstanceOf(Handshake.class);
        assertThat(decoder.<Object>readInbound()).isInstanceOf(Frame.class);
    }

    @Test
    void countsAndLengthsInsideAFrameAreCheckedAgainstTheBytesPresentBeforeAnyArrayIsMade() {
        // A gossip claiming 2^31-1 members, and a key claiming 2^31-1 bytes, in frames of a few bytes.
        ByteBuf gossip = Unpooled.buffer();
        gossip.writeInt(0).writeByte(FrameEncoder.PROTOCOL_VERSION).writeByte(Frame.Kind.ONE_WAY.code).writeLong(0)
                .writeByte(6).writeByte(0).writeInt(Integer.MAX_VALUE);
        gossip.setInt(0, gossip.readableBytes() - 4);
        ByteBuf key = Unpooled.buffer();
        key.writeInt(0).writeByte(FrameEncoder.PROTOCOL_VERSION).writeByte(Frame.Kind.REQUEST.code).writeLong(1)
                .writeByte(3).writeInt(0).writeInt(Integer.MAX_VALUE);
        key.setInt(0, key.readableBytes() - 4);

        long allocated = io.dkv.server.resp.Allocations.byThisThread(() -> {
            assertDecoderRefuses(gossip, CorruptedFrameException.class, "count " + Integer.MAX_VALUE);
            assertDecoderRefuses(key, CorruptedFrameException.class, "byte field of length " + Integer.MAX_VALUE);
        });
        assertThat(allocated).isLessThan(4L << 20);
    }

    @Test
    void lengthTooShortForAHeaderIsRefused() {
        ByteBuf header = Unpooled.buffer().writeInt(FrameEncoder.HEADER_BYTES - 1).writeZero(16);

        assertDecoderRefuses(header, TooLongFrameException.class, "frame length");
    }

    @Test
    void wrongProtocolVersionIsRefused() {
        ByteBuf frame = encode(new Frame(Frame.Kind.REQUEST, 1, WriteReply.HINT_KEPT));
        frame.setByte(VERSION_AT, FrameEncoder.PROTOCOL_VERSION + 1);

        assertDecoderRefuses(frame, CorruptedFrameException.class, "protocol version " + (FrameEncoder.PROTOCOL_VERSION + 1));
    }

    @Test
    void unknownFrameKindIsRefused() {
        ByteBuf frame = encode(new Frame(Frame.Kind.REQUEST, 1, WriteReply.HINT_KEPT));
        frame.setByte(KIND_AT, 42);

        assertDecoderRefuses(frame, CorruptedFrameException.class, "unknown frame kind 42");
    }

    @Test
    void unknownMessageTypeIsRefused() {
        ByteBuf frame = encode(new Frame(Frame.Kind.REQUEST, 1, new ReadRequest(1, bytes("k"))));
        frame.setByte(MESSAGE_TYPE_AT, 99);

        assertDecoderRefuses(frame, CorruptedFrameException.class, "unknown message type 99");
    }

    @Test
    void trailingGarbageAfterTheMessageIsRefused() {
        ByteBuf frame = encode(new Frame(Frame.Kind.RESPONSE, 1, new ReadReply(Entry.value(bytes("v"), VERSION))));
        frame.setInt(0, frame.getInt(0) + 3);
        frame.writeBytes(new byte[]{1, 2, 3});

        assertDecoderRefuses(frame, CorruptedFrameException.class, "3 unexpected bytes");
    }

    @Test
    void byteFieldLongerThanTheFrameIsRefused() {
        ByteBuf frame = encode(new Frame(Frame.Kind.REQUEST, 1, new ReadRequest(1, bytes("key"))));
        // ReadRequest: type, partition (int), then the key's length (int).
        frame.setInt(MESSAGE_TYPE_AT + 1 + 4, 1_000);

        assertDecoderRefuses(frame, CorruptedFrameException.class, "byte field of length 1000");
    }

    @Test
    void messageCutShortInsideItsFrameIsRefused() {
        ByteBuf frame = encode(new Frame(Frame.Kind.REQUEST, 1,
                new WriteRequest(1, bytes("key"), Entry.value(bytes("value"), VERSION))));
        int cut = 3;  // leaves one byte of the final hintFor int
        frame.setInt(0, frame.getInt(0) - cut);
        frame.writerIndex(frame.writerIndex() - cut);

        assertDecoderRefuses(frame, CorruptedFrameException.class, "malformed frame");
    }

    @Test
    void aMessageCutShortIsRefusedAndNotReadOnIntoTheFrameBehindIt() {
        ByteBuf frame = encode(new Frame(Frame.Kind.REQUEST, 1,
                new WriteRequest(1, bytes("key"), Entry.value(bytes("value"), VERSION))));
        frame.setInt(0, frame.getInt(0) - 3); // its last 3 bytes now read as the start of what follows
        ByteBuf next = encode(new Frame(Frame.Kind.REQUEST, 2, new ReadRequest(1, bytes("key"))));
        frame.writeBytes(next);
        next.release();

        assertDecoderRefuses(frame, CorruptedFrameException.class, "malformed frame");
    }

    @Test
    void invalidEntryFlagIsRefused() {
        ByteBuf frame = encode(new Frame(Frame.Kind.RESPONSE, 1, new ReadReply(Entry.tombstone(VERSION))));
        // ReadReply: type, present flag, version (long + int), then the entry flag.
        frame.setByte(MESSAGE_TYPE_AT + 1 + 1 + 12, 7);

        assertDecoderRefuses(frame, CorruptedFrameException.class, "invalid entry flag 7");
    }

    @Test
    void negativePartitionIsRefused() {
        ByteBuf frame = encode(new Frame(Frame.Kind.REQUEST, 1, new ReadRequest(1, bytes("k"))));
        frame.setInt(MESSAGE_TYPE_AT + 1, -1);

        assertDecoderRefuses(frame, CorruptedFrameException.class, "negative partition");
    }

    @Test
    void aRootsRequestWithANegativePartitionOrMorePairsThanItsFrameHoldsIsRefused() {
        ByteBuf negative = encode(new Frame(Frame.Kind.REQUEST, 1, new MerkleRootsRequest(new int[]{1, 2}, new long[]{3, 4})));
        // MerkleRootsRequest: type, count, then (partition int, root long) pairs.
        negative.setInt(MESSAGE_TYPE_AT + 1 + 4 + 12, -2);
        ByteBuf tooMany = encode(new Frame(Frame.Kind.REQUEST, 1, new MerkleRootsRequest(new int[]{1}, new long[]{3})));
        tooMany.setInt(MESSAGE_TYPE_AT + 1, 2);

        assertDecoderRefuses(negative, CorruptedFrameException.class, "negative partition");
        assertDecoderRefuses(tooMany, CorruptedFrameException.class, "count 2");
    }

    @Test
    void trailingGarbageAfterAHandshakeIsRefused() {
        ByteBuf frame = encode(new Handshake(NodeId.of(1), NodeId.of(2), 5, Handshake.NO_NONCE));
        frame.setInt(0, frame.getInt(0) + 2);
        frame.writeBytes(new byte[]{9, 9});

        assertDecoderRefuses(frame, CorruptedFrameException.class, "2 unexpected bytes");
    }

    @Test
    void afterARefusedFrameNothingMoreIsDecodedOrRefused() {
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(MAX_FRAME));
        assertThatThrownBy(() -> decoder.writeInbound(Unpooled.buffer().writeInt(MAX_FRAME + 1).writeZero(8)))
                .isInstanceOf(TooLongFrameException.class);

        // A well-formed frame after the bad one must not reach the handler, which is closing the connection.
        decoder.writeInbound(encode(new Handshake(NodeId.of(1), NodeId.of(2), 5, Handshake.NO_NONCE)));
        assertThat(decoder.<Object>readInbound()).isNull();
        // Closing must not raise the same error again (each one is logged).
        assertThat(decoder.finish()).isFalse();
    }

    @Test
    void handshakeWithoutNodeIdsIsRefused() {
        ByteBuf frame = encode(new Handshake(NodeId.of(1), NodeId.of(2), 5, Handshake.NO_NONCE));
        // Handshake body: from (int), to (int), fingerprint (long); 0 means "no node".
        frame.setInt(MESSAGE_TYPE_AT, 0);

        assertDecoderRefuses(frame, CorruptedFrameException.class, "handshake without node ids");
    }

    static LongStream seeds() {
        return Seeds.seeds();
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void randomGarbageIsRefusedNotDecoded(long seed) {
        System.out.println(Seeds.describe(FrameCodecTest.class, "FrameCodecTest.randomGarbageIsRefusedNotDecoded", seed));
        SplittableRandom random = new SplittableRandom(seed);
        for (int run = 0; run < 200; run++) {
            byte[] garbage = new byte[1 + random.nextInt(4096)];
            random.nextBytes(garbage);
            EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(MAX_FRAME));
            try {
                decoder.writeInbound(Unpooled.wrappedBuffer(garbage));
            } catch (DecoderException expected) {
                continue;
            }
            // Not refused yet: it can only be waiting for the rest of a frame, never have made one up.
            assertThat(decoder.inboundMessages()).as("seed %d run %d", seed, run).isEmpty();
        }
    }

    private static ByteBuf encode(Object message) {
        EmbeddedChannel encoder = new EmbeddedChannel(new FrameEncoder());
        assertThat(encoder.writeOutbound(message)).isTrue();
        ByteBuf out = encoder.readOutbound();
        assertThat(encoder.<Object>readOutbound()).isNull();
        return out;
    }

    private static Object decode(ByteBuf wire) {
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(MAX_FRAME));
        decoder.writeInbound(wire);
        Object decoded = decoder.readInbound();
        assertThat(decoded).as("one decoded frame").isNotNull();
        assertThat(decoder.<Object>readInbound()).isNull();
        return decoded;
    }

    private static void assertDecoderRefuses(ByteBuf wire, Class<? extends DecoderException> type, String message) {
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(MAX_FRAME));
        assertThatThrownBy(() -> decoder.writeInbound(wire))
                .isInstanceOf(type)
                .hasMessageContaining(message);
        assertThat(decoder.<Object>readInbound()).isNull();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
