package io.dkv.server.resp;

import io.dkv.core.Consistency;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client pipeline as the server builds it (decoder, then connection handler) on an
 * {@link EmbeddedChannel}, with only the connection commands registered: what a client
 * sees for bad input, and that {@code HELLO 3} switches the reply encoding.
 */
class RespPipelineTest {

    private static final int MAX_ARGUMENT = 64;

    private final EmbeddedChannel channel = pipeline();

    private static EmbeddedChannel pipeline() {
        ClientCounters stats = new ClientCounters();
        CommandTable commands = new CommandTable(CommandMeters.none());
        ConnectionCommands.register(commands, new ServerInfo("test", "127.0.0.1", 7400, 8400, 0), stats);
        ClientSession session = new ClientSession(1, "embedded", Consistency.QUORUM, Consistency.QUORUM,
                commands.access().onConnect());
        return new EmbeddedChannel(new RespDecoder(MAX_ARGUMENT, "max-value-bytes", 4 * MAX_ARGUMENT),
                new RespConnectionHandler(commands, stats, session));
    }

    @Test
    void helloThreeSwitchesNullsAndMapsToResp3() {
        assertThat(send("CLIENT GETNAME\r\n")).isEqualTo("$-1\r\n");
        assertThat(send("HELLO 2\r\n")).startsWith("*16\r\n$6\r\nserver\r\n$3\r\ndkv\r\n");

        assertThat(send("HELLO 3\r\n")).startsWith("%8\r\n$6\r\nserver\r\n$3\r\ndkv\r\n");
        assertThat(send("CLIENT GETNAME\r\n")).isEqualTo("_\r\n");

        assertThat(send("HELLO 2\r\n")).startsWith("*16\r\n");
        assertThat(send("CLIENT GETNAME\r\n")).isEqualTo("$-1\r\n");
    }

    @Test
    void malformedInputGetsAnErrorAndClosesTheConnection() {
        assertThat(send("PING\r\n")).isEqualTo("+PONG\r\n");

        assertThat(send("*1\r\n$x\r\n")).isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
        assertThat(channel.isOpen()).as("connection closed after a protocol error").isFalse();
    }

    @Test
    void repliesBeforeTheProtocolErrorAreStillWritten() {
        assertThat(send("PING\r\nECHO one\r\n*abc\r\n"))
                .isEqualTo("+PONG\r\n$3\r\none\r\n-ERR Protocol error: invalid multibulk length\r\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void oversizedArgumentGetsAnErrorAndTheConnectionStaysUsable() {
        String big = "v".repeat(MAX_ARGUMENT + 1);

        assertThat(send("*2\r\n$4\r\nECHO\r\n$" + big.length() + "\r\n" + big + "\r\n"))
                .isEqualTo("-ERR argument 2 is " + big.length() + " bytes, more than the limit of " + MAX_ARGUMENT + " (max-value-bytes)\r\n");
        assertThat(channel.isOpen()).isTrue();
        assertThat(send("ECHO fine\r\n")).isEqualTo("$4\r\nfine\r\n");
    }

    @Test
    void unknownCommandGetsAnErrorAndTheConnectionStaysUsable() {
        assertThat(send("NOSUCH a b\r\n"))
                .isEqualTo("-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b'\r\n");
        assertThat(channel.isOpen()).isTrue();
        assertThat(send("PING\r\n")).isEqualTo("+PONG\r\n");
    }

    @Test
    void wrongArityGetsAnErrorAndTheConnectionStaysUsable() {
        assertThat(send("ECHO\r\n")).isEqualTo("-ERR wrong number of arguments for 'echo' command\r\n");
        assertThat(send("PING\r\n")).isEqualTo("+PONG\r\n");
    }

    /** Feeds bytes in and returns everything the handler wrote back. */
    private String send(String wire) {
        channel.writeInbound(Unpooled.wrappedBuffer(wire.getBytes(StandardCharsets.ISO_8859_1)));
        channel.runPendingTasks();
        StringBuilder written = new StringBuilder();
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            written.append(out.toString(StandardCharsets.ISO_8859_1));
            out.release();
        }
        return written.toString();
    }
}
