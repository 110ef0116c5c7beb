package io.dkv.cli.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The exact RESP bytes of the requests, for small values (copied) and large ones (shared). */
class RequestWriterTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();

    @Test
    void getAndSetWithASmallValue() {
        try (RequestWriter writer = new RequestWriter("abc".getBytes(StandardCharsets.US_ASCII))) {
            ByteBuf batch = Unpooled.buffer(writer.initialBatchSize(3));
            batch = writer.append(batch, Operation.GET, 7, channel, ByteBufAllocator.DEFAULT);
            batch = writer.append(batch, Operation.SET, 12_345, channel, ByteBufAllocator.DEFAULT);
            batch = writer.append(batch, Operation.GET, 1_000_000_000, channel, ByteBufAllocator.DEFAULT);

            assertThat(channel.outboundMessages()).as("small values are not written separately").isEmpty();
            assertThat(batch.toString(StandardCharsets.US_ASCII)).isEqualTo(
                    "*2\r\n$3\r\nGET\r\n$5\r\nkey:7\r\n"
                            + "*3\r\n$3\r\nSET\r\n$9\r\nkey:12345\r\n$3\r\nabc\r\n"
                            + "*2\r\n$3\r\nGET\r\n$14\r\nkey:1000000000\r\n");
            batch.release();
        }
    }

    @Test
    void largeValueIsSharedNotCopiedAndTheBytesStillAddUp() {
        byte[] value = new byte[100_000];
        Arrays.fill(value, (byte) 'v');
        try (RequestWriter writer = new RequestWriter(value)) {
            ByteBuf batch = Unpooled.buffer();
            batch = writer.append(batch, Operation.GET, 1, channel, ByteBufAllocator.DEFAULT);
            batch = writer.append(batch, Operation.SET, 2, channel, ByteBufAllocator.DEFAULT);
            batch = writer.append(batch, Operation.SET, 3, channel, ByteBufAllocator.DEFAULT);
            channel.writeOutbound(batch);

            assertThat(channel.outboundMessages()).hasSize(5);
            String expected = "*2\r\n$3\r\nGET\r\n$5\r\nkey:1\r\n"
                    + "*3\r\n$3\r\nSET\r\n$5\r\nkey:2\r\n$100000\r\n" + "v".repeat(100_000) + "\r\n"
                    + "*3\r\n$3\r\nSET\r\n$5\r\nkey:3\r\n$100000\r\n" + "v".repeat(100_000) + "\r\n";
            assertThat(drainOutbound()).isEqualTo(expected);
        }
    }

    @Test
    void commandOfStrings() {
        ByteBuf command = RequestWriter.command(ByteBufAllocator.DEFAULT, "DKV.CONSISTENCY", "QUORUM");

        assertThat(command.toString(StandardCharsets.US_ASCII)).isEqualTo("*2\r\n$15\r\nDKV.CONSISTENCY\r\n$6\r\nQUORUM\r\n");
        command.release();
    }

    private String drainOutbound() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            byte[] chunk = new byte[buf.readableBytes()];
            buf.readBytes(chunk);
            bytes.writeBytes(chunk);
            buf.release();
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }
}
