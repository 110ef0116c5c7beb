package io.dkv.server.resp;

import io.dkv.cluster.ClusterNode;
import io.dkv.server.acl.CommandAcl;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.dkv.server.resp.Futures.done;

/**
 * FLUSHALL and FLUSHDB: remove every key of the cluster by a truncation mark
 * ({@link ClusterNode#flushAll}). dkv has one database, so the two are the same command.
 * The optional SYNC or ASYNC is Redis's: SYNC answers once every node has dropped the
 * flushed entries, ASYNC once every node holds the mark (the entries are hidden from then
 * on and dropped in the background); without it, SYNC, as Redis does by default
 * ({@code lazyfree-lazy-user-flush no}).
 */
final class FlushCommands {

    private final ClusterNode node;

    private FlushCommands(ClusterNode node) {
        this.node = node;
    }

    static void register(CommandTable table, ClusterNode node) {
        FlushCommands commands = new FlushCommands(node);
        CommandAcl acl = CommandAcl.of("@keyspace @write @slow @dangerous");
        table.add(new CommandSpec("FLUSHALL", -1, List.of("write"), 0, 0, 0, "server",
                "Removes all keys from all databases (the whole cluster).", acl, commands::flush));
        table.add(new CommandSpec("FLUSHDB", -1, List.of("write"), 0, 0, 0, "server",
                "Removes all keys from the current database (the whole cluster: dkv has one).", acl, commands::flush));
    }

    private CompletableFuture<RespReply> flush(ClientSession session, RespCommand command) {
        boolean sync;
        if (command.argCount() == 1) {
            sync = true;
        } else if (command.argCount() == 2 && command.keyword(1).equals("SYNC")) {
            sync = true;
        } else if (command.argCount() == 2 && command.keyword(1).equals("ASYNC")) {
            sync = false;
        } else {
            return done(RespErrors.syntax());
        }
        return node.flushAll(sync).thenApply(mark -> RespReply.OK);
    }
}
