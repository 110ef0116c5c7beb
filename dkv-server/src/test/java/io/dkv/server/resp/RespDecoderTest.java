package io.dkv.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link RespDecoder} without sockets: bytes go in through an {@link EmbeddedChannel}, commands come out. */
class RespDecoderTest {

    private static final int MAX_ARGUMENT = 1024;
    private static final long MAX_COMMAND = 4096;

    private final EmbeddedChannel channel = new EmbeddedChannel(new RespDecoder(MAX_ARGUMENT, "max-value-bytes", MAX_COMMAND));

    @Test
    void multibulkCommand() {
        feed("*3\r\n$3\r\nSET\r\n$5\r\nmykey\r\n$7\r\nmyvalue\r\n");

        RespCommand command = next();
        assertThat(strings(command)).containsExactly("SET", "mykey", "myvalue");
        assertThat(command.rejection()).isNull();
        assertThat(channel.<Object>readInbound()).isNull();
    }

    @Test
    void bulkArgumentsAreByteExactIncludingCrLfAndEmpty() {
        byte[] binary = {0, '\r', '\n', (byte) 0xff, '*', '$'};
        feed(concat(ascii("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$6\r\n"), binary, ascii("\r\n")));

        RespCommand command = next();
        assertThat(command.argCount()).isEqualTo(3);
        assertThat(command.arg(1)).isEmpty();
        assertThat(command.arg(2)).isEqualTo(binary);
    }

    @Test
    void pipelinedCommandsInOneReadComeOutInOrder() {
        feed("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\nECHO hi\r\n");

        assertThat(strings(next())).containsExactly("PING");
        assertThat(strings(next())).containsExactly("GET", "a");
        assertThat(strings(next())).containsExactly("ECHO", "hi");
        assertThat(channel.<Object>readInbound()).isNull();
    }

    @Test
    void inlineCommandWithCrLf() {
        feed("PING\r\n");

        assertThat(strings(next())).containsExactly("PING");
    }

    @Test
    void inlineCommandWithBareLfAndExtraSpaces() {
        feed("  SET   k  v \n");

        assertThat(strings(next())).containsExactly("SET", "k", "v");
    }

    @Test
    void blankInlineLinesAreIgnored() {
        feed("\r\n   \r\n\nPING\r\n");

        assertThat(strings(next())).containsExactly("PING");
        assertThat(channel.<Object>readInbound()).isNull();
    }

    @Test
    void commandSplitIntoOneByteReads() {
        byte[] wire = ascii("*3\r\n$3\r\nSET\r\n$10\r\nsplit-key!\r\n$12\r\nsplit-value!\r\nPING\r\n");
        List<RespCommand> commands = new ArrayList<>();
        for (byte b : wire) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[]{b}));
            for (Object out; (out = channel.readInbound()) != null; ) {
                commands.add((RespCommand) out);
            }
        }

        assertThat(commands).hasSize(2);
        assertThat(strings(commands.get(0))).containsExactly("SET", "split-key!", "split-value!");
        assertThat(strings(commands.get(1))).containsExactly("PING");
    }

    @Test
    void nothingComesOutUntilTheLastByteOfTheCommandArrives() {
        byte[] wire = ascii("*2\r\n$3\r\nGET\r\n$3\r\nabc\r\n");
        channel.writeInbound(Unpooled.wrappedBuffer(wire, 0, wire.length - 1));
        assertThat(channel.<Object>readInbound()).isNull();

        channel.writeInbound(Unpooled.wrappedBuffer(wire, wire.length - 1, 1));
        assertThat(strings(next())).containsExactly("GET", "abc");
    }

    @Test
    void oneMebibyteBulkArgumentInManyReads() {
        int size = 1 << 20;
        EmbeddedChannel big = new EmbeddedChannel(new RespDecoder(size, "max-value-bytes", 4L * size));
        byte[] value = new byte[size];
        new SplittableRandom(7).nextBytes(value);
        byte[] wire = concat(ascii("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + size + "\r\n"), value, ascii("\r\n"));

        for (int offset = 0; offset < wire.length; offset += 8191) {
            big.writeInbound(Unpooled.wrappedBuffer(wire, offset, Math.min(8191, wire.length - offset)));
        }

        RespCommand command = big.readInbound();
        assertThat(command).isNotNull();
        assertThat(command.rejection()).isNull();
        assertThat(command.argString(1)).isEqualTo("big");
        assertThat(Arrays.equals(command.arg(2), value)).as("1 MiB value decoded byte for byte").isTrue();
        assertThat(big.<Object>readInbound()).isNull();
    }

    @Test
    void hostileHeadersAllocateNothingBigUntilBytesArrive() {
        int maxArgument = 16 << 20;
        RespDecoder decoder = new RespDecoder(maxArgument, "max-value-bytes", 64L << 20);
        EmbeddedChannel hostile = new EmbeddedChannel(decoder);
        byte[] header = ascii("*1048576\r\n$16777216\r\n");

        long allocated = Allocations.byThisThread(() -> hostile.writeInbound(Unpooled.wrappedBuffer(header)));

        assertThat(hostile.<Object>readInbound()).isNull();
        assertThat(decoder.retainedBytes()).as("bytes held after the hostile header").isLessThan(1024);
        assertThat(allocated).as("bytes allocated decoding the hostile header").isLessThan(256 * 1024);

        byte[] part = new byte[100_000];
        hostile.writeInbound(Unpooled.wrappedBuffer(part));
        assertThat(decoder.retainedBytes()).as("held after 100,000 bytes of the value")
                .isBetween(100_000L, 2 * 100_000L + 1024);
    }

    @Test
    void aValueGrowingInSmallReadsEndsExactAndHeldMemoryStaysWithinTwiceWhatArrived() {
        int size = 300_001;
        RespDecoder decoder = new RespDecoder(1 << 20, "max-value-bytes", 4L << 20);
        EmbeddedChannel growing = new EmbeddedChannel(decoder);
        byte[] value = new byte[size];
        new SplittableRandom(11).nextBytes(value);
        byte[] wire = concat(ascii("*2\r\n$4\r\nECHO\r\n$" + size + "\r\n"), value, ascii("\r\n"));
        int arrived = 0;
        for (int offset = 0; offset < wire.length; offset += 1000) {
            int length = Math.min(1000, wire.length - offset);
            growing.writeInbound(Unpooled.wrappedBuffer(wire, offset, length));
            arrived += length;
            if (offset + length < wire.length) {
                assertThat(decoder.retainedBytes()).isLessThanOrEqualTo(2L * arrived + RespDecoder.INITIAL_BULK_BYTES + 1024);
            }
        }

        RespCommand command = growing.readInbound();
        assertThat(command.arg(1)).isEqualTo(value);
        assertThat(decoder.retainedBytes()).isZero();
    }

    @Test
    void manyArgumentsGrowTheArgumentArrayAsTheyArrive() {
        int count = 1000;
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(ascii("*" + (count + 1) + "\r\n$3\r\nDEL\r\n"));
        for (int i = 0; i < count; i++) {
            wire.writeBytes(ascii("$" + String.valueOf(i).length() + "\r\n" + i + "\r\n"));
        }
        feed(wire.toByteArray());

        RespCommand command = next();
        assertThat(command.argCount()).isEqualTo(count + 1);
        assertThat(command.argString(count)).isEqualTo(String.valueOf(count - 1));
    }

    @Test
    void argumentOverTheLimitIsSkippedAndTheCommandIsRejectedButTheConnectionGoesOn() {
        byte[] tooBig = new byte[MAX_ARGUMENT + 1];
        Arrays.fill(tooBig, (byte) 'x');
        byte[] wire = concat(ascii("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + tooBig.length + "\r\n"), tooBig,
                ascii("\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"));
        // In small pieces, so the skip spans several reads.
        for (int offset = 0; offset < wire.length; offset += 100) {
            channel.writeInbound(Unpooled.wrappedBuffer(wire, offset, Math.min(100, wire.length - offset)));
        }

        RespCommand rejected = next();
        assertThat(rejected.rejection())
                .contains("argument 3")
                .contains(String.valueOf(tooBig.length))
                .contains(String.valueOf(MAX_ARGUMENT));
        assertThat(rejected.argString(0)).isEqualTo("SET");
        assertThat(rejected.arg(2)).as("the oversized argument is not kept").isEmpty();

        RespCommand after = next();
        assertThat(after.rejection()).isNull();
        assertThat(strings(after)).containsExactly("GET", "k");
    }

    @Test
    void argumentExactlyAtTheLimitIsAccepted() {
        byte[] atLimit = new byte[MAX_ARGUMENT];
        feed(concat(ascii("*2\r\n$4\r\nECHO\r\n$" + atLimit.length + "\r\n"), atLimit, ascii("\r\n")));

        RespCommand command = next();
        assertThat(command.rejection()).isNull();
        assertThat(command.arg(1)).hasSize(MAX_ARGUMENT);
    }

    @Test
    void commandOverTheTotalLimitIsRejectedAndTheNextOneDecodes() {
        int arguments = (int) (MAX_COMMAND / MAX_ARGUMENT) + 1;
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(ascii("*" + (arguments + 1) + "\r\n$4\r\nMSET\r\n"));
        for (int i = 0; i < arguments; i++) {
            wire.writeBytes(ascii("$" + MAX_ARGUMENT + "\r\n"));
            wire.writeBytes(new byte[MAX_ARGUMENT]);
            wire.writeBytes(ascii("\r\n"));
        }
        wire.writeBytes(ascii("PING\r\n"));
        feed(wire.toByteArray());

        assertThat(next().rejection()).contains("command is more than " + MAX_COMMAND + " bytes");
        RespCommand after = next();
        assertThat(after.rejection()).isNull();
        assertThat(strings(after)).containsExactly("PING");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"*0\r\n", "*-1\r\n"})
    void emptyAndNullArraysAreIgnored(String header) {
        feed(header + "*1\r\n$4\r\nPING\r\n");

        assertThat(strings(next())).containsExactly("PING");
        assertThat(channel.<Object>readInbound()).isNull();
    }

    @Test
    void nonNumericMultibulkLengthIsAProtocolError() {
        assertProtocolError("*abc\r\n", "invalid multibulk length");
    }

    @Test
    void tooManyArgumentsIsAProtocolError() {
        assertProtocolError("*" + (RespDecoder.MAX_ARGUMENTS + 1) + "\r\n", "invalid multibulk length");
    }

    @Test
    void nonNumericBulkLengthIsAProtocolError() {
        assertProtocolError("*1\r\n$x\r\n", "invalid bulk length");
    }

    @Test
    void negativeBulkLengthIsAProtocolError() {
        assertProtocolError("*1\r\n$-1\r\n", "invalid bulk length");
    }

    @Test
    void bulkLengthAbove512MiBIsAProtocolError() {
        assertProtocolError("*1\r\n$" + (RespDecoder.MAX_BULK_LENGTH + 1) + "\r\n", "invalid bulk length");
    }

    @Test
    void somethingOtherThanABulkInsideAnArrayIsAProtocolError() {
        assertProtocolError("*1\r\n:3\r\n", "expected '$', got ':'");
    }

    @Test
    void missingCrLfAfterBulkDataIsAProtocolError() {
        assertProtocolError("*1\r\n$3\r\nGETxx", "expected CRLF after bulk data");
    }

    @Test
    void overlongInlineLineIsAProtocolError() {
        byte[] line = new byte[RespDecoder.MAX_LINE_BYTES + 10];
        Arrays.fill(line, (byte) 'a');
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(line)))
                .isInstanceOf(DecoderException.class)
                .hasCauseInstanceOf(RespProtocolException.class)
                .cause().hasMessage("Protocol error: too big inline request");
    }

    @Test
    void afterAProtocolErrorTheRestOfTheStreamIsDiscarded() {
        assertProtocolError("*1\r\n$x\r\n", "invalid bulk length");

        channel.writeInbound(Unpooled.wrappedBuffer(ascii("*1\r\n$4\r\nPING\r\nPING\r\n")));

        assertThat(channel.<Object>readInbound()).isNull();
    }

    private void assertProtocolError(String wire, String message) {
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(ascii(wire))))
                .isInstanceOf(DecoderException.class)
                .hasCauseInstanceOf(RespProtocolException.class)
                .cause().hasMessage("Protocol error: " + message);
        assertThat(channel.<Object>readInbound()).isNull();
    }

    private void feed(String wire) {
        feed(ascii(wire));
    }

    private void feed(byte[] wire) {
        ByteBuf buffer = Unpooled.wrappedBuffer(wire);
        channel.writeInbound(buffer);
    }

    private RespCommand next() {
        Object out = channel.readInbound();
        assertThat(out).as("a decoded command").isInstanceOf(RespCommand.class);
        return (RespCommand) out;
    }

    private static List<String> strings(RespCommand command) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < command.argCount(); i++) {
            args.add(command.argString(i));
        }
        return args;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
