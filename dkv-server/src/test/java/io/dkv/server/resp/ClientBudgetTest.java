package io.dkv.server.resp;

import io.dkv.core.Consistency;
import io.dkv.server.acl.CommandAcl;
import io.dkv.server.config.ClientLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Byte budgets without sockets: a connection stops reading while its unanswered commands
 * pass {@code client-input-budget-bytes}, and past {@code maxmemory-clients} the client
 * holding the most is closed.
 */
class ClientBudgetTest {

    private static final long INPUT_BUDGET = 4_000;

    /** LATER's replies, completed by the test. */
    private final List<CompletableFuture<RespReply>> pending = new ArrayList<>();

    @Test
    void readingStopsWhileUnansweredCommandsPassTheInputBudgetAndResumesWhenAnswered() {
        EmbeddedChannel channel = connection(new ClientBudget(limits(INPUT_BUDGET, 0)));
        String argument = "x".repeat(500);

        for (int i = 0; i < 6; i++) {
            receive(channel, "LATER " + argument + "\r\n");
        }
        assertThat(channel.config().isAutoRead()).as("reading with about 3,400 bytes unanswered").isTrue();
        for (int i = 0; i < 3; i++) {
            receive(channel, "LATER " + argument + "\r\n");
        }
        assertThat(channel.config().isAutoRead()).as("reading with about 5,100 bytes unanswered").isFalse();

        for (CompletableFuture<RespReply> reply : pending) {
            reply.complete(new RespReply.Simple("done"));
        }
        channel.runPendingTasks();

        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(written(channel)).isEqualTo("+done\r\n".repeat(9));
    }

    @Test
    void pastMaxmemoryClientsTheClientHoldingTheMostIsClosed() {
        ClientBudget budget = new ClientBudget(limits(1 << 20, 12_000));
        EmbeddedChannel large = connection(budget);
        EmbeddedChannel small = connection(budget);

        receive(large, "*2\r\n$4\r\nECHO\r\n$100000\r\n" + "a".repeat(7_000));
        receive(small, "*2\r\n$4\r\nECHO\r\n$100000\r\n" + "b".repeat(3_000));
        assertThat(large.isOpen()).isTrue();
        assertThat(budget.totalBytes()).isBetween(10_000L, 12_000L);

        receive(small, "b".repeat(1_000));
        receive(large, "a".repeat(2_000));

        assertThat(large.isOpen()).as("the client holding the most").isFalse();
        assertThat(small.isOpen()).isTrue();
        assertThat(budget.totalBytes()).isLessThan(12_000L);
    }

    private static ClientLimits limits(long inputBudget, long maxMemoryClients) {
        return new ClientLimits(10, 0, inputBudget, 1 << 20, maxMemoryClients, 100);
    }

    private EmbeddedChannel connection(ClientBudget budget) {
        CommandTable commands = new CommandTable(CommandMeters.none());
        commands.add(new CommandSpec("LATER", 2, List.of(), 0, 0, 0, "test", "Answers when the test says so.",
                CommandAcl.of("@fast"), (session, command) -> {
                    CompletableFuture<RespReply> reply = new CompletableFuture<>();
                    pending.add(reply);
                    return reply;
                }));
        ClientSession session = new ClientSession(1, "embedded", Consistency.QUORUM, Consistency.QUORUM,
                commands.access().onConnect());
        RespDecoder decoder = new RespDecoder(1 << 20, "max-value-bytes", 4 << 20);
        return new EmbeddedChannel(decoder, new RespConnectionHandler(commands, new ClientCounters(), session, budget, decoder));
    }

    private static void receive(EmbeddedChannel channel, String wire) {
        channel.writeInbound(Unpooled.wrappedBuffer(wire.getBytes(StandardCharsets.ISO_8859_1)));
        channel.runPendingTasks();
    }

    private static String written(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            text.append(out.toString(StandardCharsets.ISO_8859_1));
            out.release();
        }
        return text.toString();
    }
}
