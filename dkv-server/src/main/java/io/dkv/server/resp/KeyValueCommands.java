package io.dkv.server.resp;

import io.dkv.server.acl.CommandAcl;
import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.core.Entry;
import io.dkv.core.hash.KeyType;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.dkv.server.resp.Futures.done;

/** The data commands: GET, SET, DEL, EXISTS, MGET, MSET. */
final class KeyValueCommands {

    private final ClusterNode node;
    private final ClientCounters stats;
    private final int maxKeys;

    private KeyValueCommands(ClusterNode node, ClientCounters stats, int maxKeys) {
        this.node = node;
        this.stats = stats;
        this.maxKeys = maxKeys;
    }

    /** @param maxKeys {@code max-keys-per-command}: MGET, MSET, DEL and EXISTS with more keys are refused */
    static void register(CommandTable table, ClusterNode node, ClientCounters stats, int maxKeys) {
        KeyValueCommands commands = new KeyValueCommands(node, stats, maxKeys);
        table.add(new CommandSpec("GET", 2, List.of("readonly", "fast"), 1, 1, 1, "string",
                "Returns the value of a key, or nil when it is absent.",
                CommandAcl.of("@read @string @fast"), commands::get));
        table.add(new CommandSpec("SET", -3, List.of("write", "denyoom"), 1, 1, 1, "string",
                "Sets the value of a key, with EX, PX, EXAT, PXAT or KEEPTTL. NX, XX and GET are refused: see docs.",
                CommandAcl.of("@write @string @slow"), commands::set));
        table.add(new CommandSpec("DEL", -2, List.of("write"), 1, -1, 1, "generic",
                "Deletes keys; returns how many had a value.", CommandAcl.of("@keyspace @write @slow"), commands::del));
        table.add(new CommandSpec("EXISTS", -2, List.of("readonly", "fast"), 1, -1, 1, "generic",
                "Counts how many of the given keys exist.", CommandAcl.of("@keyspace @read @fast"), commands::exists));
        table.add(new CommandSpec("MGET", -2, List.of("readonly", "fast"), 1, -1, 1, "string",
                "Returns the values of several keys.", CommandAcl.of("@read @string @fast"), commands::mget));
        table.add(new CommandSpec("MSET", -3, List.of("write", "denyoom"), 1, -1, 2, "string",
                "Sets several keys (each write on its own: not atomic across keys).",
                CommandAcl.of("@write @string @slow"), commands::mset));
    }

    private CompletableFuture<RespReply> get(ClientSession session, RespCommand command) {
        return node.get(command.arg(1), session.readConsistency()).thenApply(value -> {
            if (value == null) {
                stats.miss();
                return RespReply.NULL;
            }
            stats.hit();
            return new RespReply.Bulk(value);
        });
    }

    /**
     * SET with Redis's options parsed as Redis parses them. EX/PX/EXAT/PXAT write the value
     * and the expiry in one write; KEEPTTL writes the value register alone (the key keeps
     * whatever expiry it has); NX, XX and GET depend on the current value and are refused.
     */
    private CompletableFuture<RespReply> set(ClientSession session, RespCommand command) {
        ExpiryArguments.Options options = ExpiryArguments.parse(command, 3, true);
        if (options == null) {
            return done(RespErrors.syntax());
        }
        if (options.nx() || options.xx()) {
            return done(RespReply.error("ERR SET " + (options.nx() ? "NX" : "XX") + " is not supported: it needs an"
                    + " atomic compare-and-set, which an eventually consistent store cannot give; use a plain SET"));
        }
        if (options.get()) {
            return done(RespReply.error("ERR SET GET is not supported: read with GET, then write with SET"));
        }
        byte[] key = command.arg(1);
        byte[] value = command.arg(2);
        if (options.unit() != null) {
            ExpiryArguments.Deadline deadline = ExpiryArguments.deadline(options.unit(), options.expire(),
                    node.wallMillis(), "set");
            if (deadline.error() != null) {
                return done(deadline.error());
            }
            return node.putExpiring(key, value, deadline.atMillis(), session.writeConsistency())
                    .thenApply(result -> RespReply.OK);
        }
        if (options.keepTtl()) {
            return node.putKeepingExpiry(key, value, session.writeConsistency()).thenApply(result -> RespReply.OK);
        }
        return node.put(key, value, session.writeConsistency()).thenApply(result -> RespReply.OK);
    }

    /**
     * The refusal for a command naming more than {@code max-keys-per-command} keys, or null.
     * Refused rather than split into batches: every key becomes concurrent operations on
     * several replicas, and a client that wants more keys can send several commands.
     */
    private CompletableFuture<RespReply> tooManyKeys(RespCommand command, int keys) {
        if (keys <= maxKeys) {
            return null;
        }
        return done(RespReply.error("ERR too many keys for '" + command.name().toLowerCase() + "': " + keys
                + ", at most " + maxKeys + " per command (max-keys-per-command)"));
    }

    private CompletableFuture<RespReply> del(ClientSession session, RespCommand command) {
        CompletableFuture<RespReply> refused = tooManyKeys(command, command.argCount() - 1);
        if (refused != null) {
            return refused;
        }
        List<CompletableFuture<WriteResult>> deletes = new ArrayList<>();
        for (int i = 1; i < command.argCount(); i++) {
            deletes.add(node.delete(command.arg(i), session.writeConsistency()));
        }
        return Futures.all(deletes).thenApply(results ->
                RespReply.integer(results.stream().filter(WriteResult::hadValue).count()));
    }

    private CompletableFuture<RespReply> exists(ClientSession session, RespCommand command) {
        CompletableFuture<RespReply> refused = tooManyKeys(command, command.argCount() - 1);
        if (refused != null) {
            return refused;
        }
        List<CompletableFuture<Entry>> reads = new ArrayList<>();
        for (int i = 1; i < command.argCount(); i++) {
            reads.add(node.read(command.arg(i), session.readConsistency()));
        }
        return Futures.all(reads).thenApply(entries ->
                RespReply.integer(entries.stream().filter(node::isLive).count()));
    }

    private CompletableFuture<RespReply> mget(ClientSession session, RespCommand command) {
        CompletableFuture<RespReply> refused = tooManyKeys(command, command.argCount() - 1);
        if (refused != null) {
            return refused;
        }
        List<CompletableFuture<Entry>> reads = new ArrayList<>();
        for (int i = 1; i < command.argCount(); i++) {
            reads.add(node.read(command.arg(i), session.readConsistency()));
        }
        // As Redis: a key holding another type than a string reads as nil here, not WRONGTYPE.
        return Futures.all(reads).thenApply(entries -> {
            List<RespReply> items = new ArrayList<>(entries.size());
            for (Entry entry : entries) {
                items.add(RespReply.bulkOrNull(node.typeOf(entry) == KeyType.STRING ? entry.value() : null));
            }
            return RespReply.array(items);
        });
    }

    private CompletableFuture<RespReply> mset(ClientSession session, RespCommand command) {
        if (command.argCount() % 2 != 1) {
            return done(RespErrors.wrongArity("MSET"));
        }
        CompletableFuture<RespReply> refused = tooManyKeys(command, command.argCount() / 2);
        if (refused != null) {
            return refused;
        }
        List<CompletableFuture<WriteResult>> writes = new ArrayList<>();
        for (int i = 1; i < command.argCount(); i += 2) {
            writes.add(node.put(command.arg(i), command.arg(i + 1), session.writeConsistency()));
        }
        return Futures.all(writes).thenApply(results -> RespReply.OK);
    }
}
