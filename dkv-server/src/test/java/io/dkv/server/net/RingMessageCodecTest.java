package io.dkv.server.net;

import io.dkv.core.message.Ballot;
import io.dkv.core.message.Gossip;
import io.dkv.core.message.Message;
import io.dkv.core.message.NodeLoad;
import io.dkv.core.message.RingAccept;
import io.dkv.core.message.RingAccepted;
import io.dkv.core.message.RingCommit;
import io.dkv.core.message.RingFetch;
import io.dkv.core.message.RingPrepare;
import io.dkv.core.message.RingPromise;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ring-epoch messages and the ring epoch in gossip survive {@link MessageCodec}'s round trip. */
class RingMessageCodecTest {

    private static final Ballot BALLOT = new Ballot(7, 3);
    private static final byte[] RING = "a placement".getBytes(StandardCharsets.UTF_8);

    static Stream<Message> messages() {
        return Stream.of(
                new RingPrepare(5, BALLOT),
                new RingPrepare(Long.MAX_VALUE, new Ballot(Long.MAX_VALUE, Integer.MAX_VALUE)),
                new RingPromise(5, true, BALLOT, new Ballot(6, 1), RING, 4),
                new RingPromise(5, false, Ballot.ZERO, Ballot.ZERO, new byte[0], 9),
                new RingAccept(5, BALLOT, RING),
                new RingAccept(1, BALLOT, new byte[0]),
                new RingAccepted(5, true, BALLOT, 4),
                new RingAccepted(5, false, new Ballot(8, 2), 4),
                new RingCommit(12, RING),
                new RingFetch(12),
                gossip(0),
                gossip(42));
    }

    @ParameterizedTest
    @MethodSource("messages")
    void everyRingMessageSurvivesTheRoundTrip(Message message) {
        ByteBuf buffer = Unpooled.buffer(MessageCodec.sizeHint(message));
        MessageCodec.encode(message, buffer);

        Message back = MessageCodec.decode(buffer);

        assertThat(back).isExactlyInstanceOf(message.getClass());
        assertThat(back).usingRecursiveComparison().isEqualTo(message);
    }

    @Test
    void gossipWithoutARingEpochOrTruncationMarkDecodesAsZero() {
        ByteBuf buffer = Unpooled.buffer();
        MessageCodec.encode(gossip(42), buffer);
        // The two trailing fields, ring epoch and truncation mark, left out.
        ByteBuf legacy = buffer.slice(0, buffer.writerIndex() - 2 * Long.BYTES);

        Gossip back = (Gossip) MessageCodec.decode(legacy);

        assertThat(back.ringEpoch()).isZero();
        assertThat(back.truncatedAt()).isZero();
        assertThat(back.heartbeats()).containsExactly(9);
    }

    @Test
    void aNegativeBallotIsRefused() {
        ByteBuf buffer = Unpooled.buffer();
        buffer.writeByte(RingMessageCodec.RING_PREPARE);
        buffer.writeLong(5);
        buffer.writeLong(-1);
        buffer.writeInt(3);

        assertThatThrownBy(() -> MessageCodec.decode(buffer)).isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("negative ballot");
    }

    @Test
    void anUnusedTypeNumberInTheRingRangeIsRefused() {
        ByteBuf buffer = Unpooled.buffer();
        buffer.writeByte(49);

        assertThatThrownBy(() -> MessageCodec.decode(buffer)).isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("unknown message type 49");
    }

    private static Gossip gossip(long ringEpoch) {
        return new Gossip(new int[]{2}, new long[]{1_700_000_000_000L}, new long[]{9}, new int[]{15},
                new NodeLoad[]{new NodeLoad(1, 2, 3, 4, false)}, Gossip.Kind.PUSH, ringEpoch);
    }
}
