package io.dkv.server.resp;

import io.dkv.cluster.ClusterNode;
import io.dkv.server.acl.CommandAcl;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.dkv.server.resp.Futures.done;

/** The read-only string commands beyond GET: STRLEN, GETRANGE and its old name SUBSTR. */
final class StringReadCommands {

    private static final byte[] EMPTY = new byte[0];

    private final ClusterNode node;

    private StringReadCommands(ClusterNode node) {
        this.node = node;
    }

    static void register(CommandTable table, ClusterNode node) {
        StringReadCommands commands = new StringReadCommands(node);
        table.add(new CommandSpec("STRLEN", 2, List.of("readonly", "fast"), 1, 1, 1, "string",
                "Returns the length of a key's value, 0 when the key is absent.",
                CommandAcl.of("@read @string @fast"), commands::strlen));
        table.add(new CommandSpec("GETRANGE", 4, List.of("readonly"), 1, 1, 1, "string",
                "Returns a substring of a key's value (negative indexes count from the end).",
                CommandAcl.of("@read @string @slow"), commands::getrange));
        table.add(new CommandSpec("SUBSTR", 4, List.of("readonly"), 1, 1, 1, "string",
                "Returns a substring of a key's value, as GETRANGE does.",
                CommandAcl.of("@read @string @slow"), commands::getrange));
    }

    private CompletableFuture<RespReply> strlen(ClientSession session, RespCommand command) {
        return node.get(command.arg(1), session.readConsistency())
                .thenApply(value -> RespReply.integer(value == null ? 0 : value.length));
    }

    private CompletableFuture<RespReply> getrange(ClientSession session, RespCommand command) {
        long start;
        long end;
        try {
            start = Long.parseLong(command.argString(2));
            end = Long.parseLong(command.argString(3));
        } catch (NumberFormatException e) {
            return done(RespReply.error("ERR value is not an integer or out of range"));
        }
        return node.get(command.arg(1), session.readConsistency())
                .thenApply(value -> new RespReply.Bulk(range(value == null ? EMPTY : value, start, end)));
    }

    /** Redis's GETRANGE arithmetic (t_string.c): both ends inclusive, negatives from the end, clamped. */
    static byte[] range(byte[] value, long start, long end) {
        long length = value.length;
        if (start < 0 && end < 0 && start > end) {
            return EMPTY;
        }
        if (start < 0) {
            start = length + start;
        }
        if (end < 0) {
            end = length + end;
        }
        start = Math.max(0, start);
        end = Math.max(0, end);
        if (end >= length) {
            end = length - 1;
        }
        if (start > end || length == 0) {
            return EMPTY;
        }
        return Arrays.copyOfRange(value, (int) start, (int) end + 1);
    }
}
