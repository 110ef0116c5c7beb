package io.dkv.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@link RespEncoder} writes for each reply, in RESP2 and in RESP3 (after {@code HELLO 3}). */
class RespEncoderTest {

    private static final int RESP2 = 2;
    private static final int RESP3 = 3;

    @Test
    void nullIsANullBulkInResp2AndTheNullTypeInResp3() {
        assertThat(encode(RespReply.NULL, RESP2)).isEqualTo("$-1\r\n");
        assertThat(encode(RespReply.NULL, RESP3)).isEqualTo("_\r\n");
    }

    @Test
    void mapIsAFlatArrayInResp2AndAMapInResp3() {
        Map<String, Object> entries = new LinkedHashMap<>();
        entries.put("server", "dkv");
        entries.put("proto", 3);
        RespReply map = RespReply.map(entries);

        assertThat(encode(map, RESP2)).isEqualTo("*4\r\n$6\r\nserver\r\n$3\r\ndkv\r\n$5\r\nproto\r\n:3\r\n");
        assertThat(encode(map, RESP3)).isEqualTo("%2\r\n$6\r\nserver\r\n$3\r\ndkv\r\n$5\r\nproto\r\n:3\r\n");
    }

    @Test
    void nullInsideAnArrayFollowsTheProtocolToo() {
        RespReply array = RespReply.array(List.of(RespReply.bulk("1"), RespReply.NULL));

        assertThat(encode(array, RESP2)).isEqualTo("*2\r\n$1\r\n1\r\n$-1\r\n");
        assertThat(encode(array, RESP3)).isEqualTo("*2\r\n$1\r\n1\r\n_\r\n");
    }

    @Test
    void mapNestedInAnArray() {
        RespReply nested = RespReply.array(List.of(RespReply.map(Map.of("k", "v"))));

        assertThat(encode(nested, RESP2)).isEqualTo("*1\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
        assertThat(encode(nested, RESP3)).isEqualTo("*1\r\n%1\r\n$1\r\nk\r\n$1\r\nv\r\n");
    }

    @Test
    void typesThatAreTheSameInBothProtocols() {
        for (int protocol : new int[]{RESP2, RESP3}) {
            assertThat(encode(RespReply.OK, protocol)).isEqualTo("+OK\r\n");
            assertThat(encode(RespReply.error("ERR nope"), protocol)).isEqualTo("-ERR nope\r\n");
            assertThat(encode(RespReply.integer(-42), protocol)).isEqualTo(":-42\r\n");
            assertThat(encode(RespReply.integer(7), protocol)).isEqualTo(":7\r\n");
            assertThat(encode(RespReply.bulk(""), protocol)).isEqualTo("$0\r\n\r\n");
            assertThat(encode(RespReply.bulk("hello"), protocol)).isEqualTo("$5\r\nhello\r\n");
            assertThat(encode(RespReply.EMPTY_ARRAY, protocol)).isEqualTo("*0\r\n");
        }
    }

    @Test
    void bulkBytesAreWrittenVerbatim() {
        byte[] binary = {0, '\r', '\n', (byte) 0xff};
        ByteBuf out = Unpooled.buffer();

        RespEncoder.write(new RespReply.Bulk(binary), RESP2, out);

        byte[] written = new byte[out.readableBytes()];
        out.readBytes(written);
        assertThat(written).containsExactly('$', '4', '\r', '\n', 0, '\r', '\n', 0xff, '\r', '\n');
    }

    @Test
    void lineBreaksInStatusAndErrorLinesCannotBreakTheFraming() {
        assertThat(encode(RespReply.error("ERR two\r\nlines"), RESP2)).isEqualTo("-ERR two  lines\r\n");
        assertThat(encode(new RespReply.Simple("a\nb"), RESP3)).isEqualTo("+a b\r\n");
    }

    @Test
    void sizeEstimateCoversWhatIsWritten() {
        RespReply reply = RespReply.array(List.of(RespReply.bulk("x".repeat(1000)), RespReply.NULL,
                RespReply.map(Map.of("key", 12345678901L)), RespReply.error("ERR " + "e".repeat(200))));
        for (int protocol : new int[]{RESP2, RESP3}) {
            ByteBuf out = Unpooled.buffer();
            RespEncoder.write(reply, protocol, out);
            assertThat(RespEncoder.estimateSize(reply)).isGreaterThanOrEqualTo(out.readableBytes());
        }
    }

    private static String encode(RespReply reply, int protocol) {
        ByteBuf out = Unpooled.buffer();
        RespEncoder.write(reply, protocol, out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
