package io.dkv.server.resp;

import io.dkv.server.acl.CommandAcl;
import io.dkv.core.Consistency;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replies that complete after their command was read, as replies that wait for other
 * replicas do: they leave in command order, and those of a pipelined batch share flushes.
 */
class AsyncRepliesTest {

    /** LATER's replies, completed by the test in whatever order it likes. */
    private final List<CompletableFuture<RespReply>> pending = new ArrayList<>();
    private int flushes;
    private final EmbeddedChannel channel = pipeline();

    private EmbeddedChannel pipeline() {
        CommandTable commands = new CommandTable(CommandMeters.none());
        commands.add(new CommandSpec("LATER", 2, List.of(), 0, 0, 0, "test", "Answers when the test says so.", CommandAcl.of("@fast"),
                (session, command) -> {
                    CompletableFuture<RespReply> reply = new CompletableFuture<>();
                    pending.add(reply);
                    return reply;
                }));
        ClientSession session = new ClientSession(1, "embedded", Consistency.QUORUM, Consistency.QUORUM,
                commands.access().onConnect());
        return new EmbeddedChannel(
                new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void flush(ChannelHandlerContext ctx) {
                        flushes++;
                        ctx.flush();
                    }
                },
                new RespDecoder(1024, "max-value-bytes", 4096),
                new RespConnectionHandler(commands, new ClientCounters(), session));
    }

    @Test
    void aLoneReplyIsFlushedAsSoonAsItCompletes() {
        receive("LATER one\r\n");

        answer(0, "one");

        assertThat(written()).isEqualTo("+one\r\n");
    }

    @Test
    void repliesLeaveInCommandOrderWhateverOrderTheyCompleteIn() {
        receive("LATER a\r\nLATER b\r\nLATER c\r\n");
        int flushesBefore = flushes;

        answer(2, "c");
        answer(0, "a");
        answer(1, "b");
        channel.runPendingTasks();

        assertThat(written()).isEqualTo("+a\r\n+b\r\n+c\r\n");
        assertThat(flushes - flushesBefore).as("one flush for the batch").isEqualTo(1);
    }

    @Test
    void aReplyAheadOfSlowerOnesIsFlushedAtTheEndOfTheLoopTurn() {
        receive("LATER a\r\nLATER b\r\n");

        answer(0, "a");
        assertThat(written()).as("not flushed while other replies may still complete in this turn").isEmpty();

        channel.runPendingTasks();
        assertThat(written()).isEqualTo("+a\r\n");

        answer(1, "b");
        assertThat(written()).isEqualTo("+b\r\n");
    }

    private void receive(String wire) {
        channel.writeInbound(Unpooled.wrappedBuffer(wire.getBytes(StandardCharsets.ISO_8859_1)));
        channel.runPendingTasks();
    }

    private void answer(int index, String text) {
        pending.get(index).complete(new RespReply.Simple(text));
    }

    /** Everything flushed to the client so far. */
    private String written() {
        StringBuilder text = new StringBuilder();
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            text.append(out.toString(StandardCharsets.ISO_8859_1));
            out.release();
        }
        return text.toString();
    }
}
