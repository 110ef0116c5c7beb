package io.dkv.server.resp;

import io.dkv.core.NodeId;
import io.dkv.server.acl.CommandAcl;
import io.dkv.server.storage.Backup;
import io.dkv.server.storage.Persistence;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import static io.dkv.server.resp.Futures.done;

/**
 * {@code DKV.BACKUP dir}: the node takes a consistent backup of its data into {@code dir}, a
 * directory on the node's machine that must not exist or be empty, and answers
 * {@code [dir, taken-at, milliseconds]}. An administrator's command: the path is the node's.
 * The backup runs on a thread of its own (a checkpoint flushes memtables), not on the event loop.
 */
final class PersistenceCommands {

    private final NodeId node;
    private final Persistence persistence;
    private final Executor backups;

    private PersistenceCommands(NodeId node, Persistence persistence, Executor backups) {
        this.node = node;
        this.persistence = persistence;
        this.backups = backups;
    }

    static void register(CommandTable table, NodeId node, Persistence persistence) {
        PersistenceCommands commands = new PersistenceCommands(node, persistence, task -> {
            Thread thread = new Thread(task, "dkv-backup-" + node);
            thread.setDaemon(true);
            thread.start();
        });
        table.add(new CommandSpec("DKV.BACKUP", 2, List.of("admin", "noscript"), 0, 0, 0, "dkv",
                "Takes a consistent backup of this node's data into a new or empty directory on its machine.",
                CommandAcl.of("@admin @slow @dangerous"), commands::backup));
    }

    private CompletableFuture<RespReply> backup(ClientSession session, RespCommand command) {
        Path dir;
        try {
            dir = Path.of(command.argString(1));
        } catch (InvalidPathException e) {
            return done(RespReply.error("ERR " + node + ": not a path: " + e.getMessage()));
        }
        return CompletableFuture.supplyAsync(() -> persistence.backup(dir, System.currentTimeMillis()), backups)
                .thenApply(PersistenceCommands::describe);
    }

    private static RespReply describe(Backup backup) {
        return RespReply.bulkArray(List.of(backup.dir().toString(), Instant.ofEpochMilli(backup.takenAtMillis()).toString(),
                String.valueOf(backup.durationMillis())));
    }
}
