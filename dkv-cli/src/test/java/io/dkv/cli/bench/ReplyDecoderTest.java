package io.dkv.cli.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ReplyDecoder} without sockets: server bytes go in, one {@link Reply} per top-level reply comes out. */
class ReplyDecoderTest {

    private static final String REPLIES = "+OK\r\n"
            + "$-1\r\n"
            + "$5\r\nhello\r\n"
            + ":42\r\n"
            + "-ERR unknown command 'DKV.CONSISTENCY'\r\n"
            + "*4\r\n$4\r\nread\r\n$3\r\nONE\r\n$5\r\nwrite\r\n$3\r\nONE\r\n"
            + "*2\r\n*1\r\n-ERR nested\r\n*0\r\n"
            + "*-1\r\n"
            + "$0\r\n\r\n"
            + "%1\r\n+key\r\n_\r\n";

    private static final List<Reply> EXPECTED = List.of(Reply.OK, Reply.OK, Reply.OK, Reply.OK,
            new Reply("ERR unknown command 'DKV.CONSISTENCY'"), Reply.OK, Reply.OK, Reply.OK, Reply.OK, Reply.OK);

    private final EmbeddedChannel channel = new EmbeddedChannel(new ReplyDecoder());

    @Test
    void oneReplyPerTopLevelReplyAndOnlyTopLevelErrorsAreErrors() {
        channel.writeInbound(ascii(REPLIES));

        assertThat(readAll()).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void sameRepliesWhenTheBytesArriveOneAtATime() {
        for (byte b : REPLIES.getBytes(StandardCharsets.US_ASCII)) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[]{b}));
        }

        assertThat(readAll()).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void largeBulkArrivingInPiecesIsOneReply() {
        byte[] value = new byte[1 << 20];
        Arrays.fill(value, (byte) '\n');
        ByteBuf all = Unpooled.buffer().writeBytes(ascii("$" + value.length + "\r\n")).writeBytes(value)
                .writeBytes(ascii("\r\n+OK\r\n"));
        while (all.isReadable()) {
            channel.writeInbound(all.readRetainedSlice(Math.min(65_536, all.readableBytes())));
        }
        all.release();

        assertThat(readAll()).containsExactly(Reply.OK, Reply.OK);
    }

    @Test
    void anUnknownReplyTypeIsAProtocolError() {
        assertThatThrownBy(() -> channel.writeInbound(ascii("?what\r\n")))
                .isInstanceOf(DecoderException.class)
                .hasMessageContaining("unexpected reply type '?'");
    }

    @Test
    void aMalformedLengthIsAProtocolError() {
        assertThatThrownBy(() -> channel.writeInbound(ascii("$12x\r\n")))
                .isInstanceOf(DecoderException.class)
                .hasMessageContaining("malformed length '12x'");
    }

    private List<Reply> readAll() {
        List<Reply> replies = new ArrayList<>();
        Reply reply;
        while ((reply = channel.readInbound()) != null) {
            replies.add(reply);
        }
        return replies;
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }
}
