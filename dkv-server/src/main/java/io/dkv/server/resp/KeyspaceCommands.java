package io.dkv.server.resp;

import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.keyspace.ScanPage;
import io.dkv.core.Entry;
import io.dkv.core.LimitExceededException;
import io.dkv.core.hash.KeyType;
import io.dkv.server.acl.CommandAcl;
import io.dkv.server.acl.Glob;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.dkv.server.resp.Futures.done;

/**
 * The key-space commands: SCAN, KEYS, DBSIZE, RANDOMKEY, TYPE, UNLINK, TOUCH, MEMORY USAGE and
 * DKV.LOCALSIZE. SCAN, KEYS and RANDOMKEY are cluster-wide: they read every partition from a
 * quorum of its replicas (see {@code KeyspaceScanner} and docs/ARCHITECTURE.md, "Key scans").
 * DBSIZE sums the replicas' per-partition key counts instead ({@code KeyCounter}). TYPE answers
 * string, hash or none.
 */
final class KeyspaceCommands {

    /** KEYS refuses rather than gather more than this many keys or key bytes: use SCAN. */
    static final int KEYS_MAX_KEYS = 1_000_000;
    static final long KEYS_MAX_BYTES = 64L << 20;

    private final ClusterNode node;

    private KeyspaceCommands(ClusterNode node) {
        this.node = node;
    }

    /** Registers the commands; DEL and EXISTS must be registered already (UNLINK and TOUCH share them). */
    static void register(CommandTable table, ClusterNode node) {
        KeyspaceCommands commands = new KeyspaceCommands(node);
        table.add(new CommandSpec("SCAN", -2, List.of("readonly"), 0, 0, 0, "generic",
                "Iterates over the cluster's keys (MATCH, COUNT, TYPE); fails, to be retried with the same cursor,"
                        + " when a partition has too few replicas up.",
                CommandAcl.of("@keyspace @read @slow"), commands::scan,
                "O(1) partitions per call, O(N + P) for a complete iteration"));
        table.add(new CommandSpec("KEYS", 2, List.of("readonly"), 0, 0, 0, "generic",
                "Returns the cluster's keys matching a pattern: a full scan, refused beyond "
                        + KEYS_MAX_KEYS + " keys or " + (KEYS_MAX_BYTES >> 20) + " MiB.",
                CommandAcl.of("@keyspace @read @slow @dangerous"), commands::keys,
                "O(N + P) where N is the number of keys in the cluster and P the number of partitions"));
        table.add(new CommandSpec("DBSIZE", 1, List.of("readonly"), 0, 0, 0, "server",
                "Returns the number of keys in the cluster, from each partition's replica key counts (one message"
                        + " per node; may count expired keys not collected yet, and keys whose deletes a replica missed).",
                CommandAcl.of("@keyspace @read @fast"), commands::dbsize,
                "O(P + M) where P is the number of partitions and M the number of nodes"));
        table.add(new CommandSpec("DKV.LOCALSIZE", 1, List.of("readonly", "fast"), 0, 0, 0, "dkv",
                "Returns the number of keys this node stores as a replica (its share of DBSIZE, times the replicas).",
                CommandAcl.of("@keyspace @read @fast"), commands::localSize));
        table.add(new CommandSpec("RANDOMKEY", 1, List.of("readonly"), 0, 0, 0, "generic",
                "Returns a random key (a partition drawn by its key count, then a key of it), or nil when the"
                        + " cluster holds none.",
                CommandAcl.of("@keyspace @read @slow"), commands::randomKey,
                "O(P + M + K) where P is the number of partitions, M of nodes, K of keys in one partition"));
        table.add(new CommandSpec("TYPE", 2, List.of("readonly", "fast"), 1, 1, 1, "generic",
                "Returns the type of the value at a key: string, or none when absent.",
                CommandAcl.of("@keyspace @read @fast"), commands::type));
        CommandSpec del = table.find("DEL");
        table.add(new CommandSpec("UNLINK", -2, List.of("write", "fast"), 1, -1, 1, "generic",
                "Deletes keys, as DEL does; returns how many had a value.",
                CommandAcl.of("@keyspace @write @fast"), del.handler()));
        CommandSpec exists = table.find("EXISTS");
        table.add(new CommandSpec("TOUCH", -2, List.of("readonly", "fast"), 1, -1, 1, "generic",
                "Counts how many of the given keys exist (dkv keeps no access times to update).",
                CommandAcl.of("@keyspace @read @fast"), exists.handler()));
        table.add(new CommandSpec("MEMORY", -2, List.of(), 2, 2, 1, "server",
                "MEMORY USAGE key [SAMPLES n]: roughly how many bytes a key and its value take on each replica.",
                CommandAcl.of("@slow").sub("USAGE", "@read @slow").sub("HELP", "@slow"), commands::memory));
    }

    private CompletableFuture<RespReply> scan(ClientSession session, RespCommand command) {
        Long cursor = cursor(command.argString(1));
        if (cursor == null) {
            return done(RespReply.error("ERR invalid cursor"));
        }
        byte[] pattern = null;
        int count = 10;
        String type = null;
        for (int i = 2; i < command.argCount(); i += 2) {
            String option = command.keyword(i);
            if (i + 1 >= command.argCount()) {
                return done(RespErrors.syntax());
            }
            switch (option) {
                case "MATCH" -> pattern = command.arg(i + 1);
                case "COUNT" -> {
                    Long parsed = parseLong(command.argString(i + 1));
                    if (parsed == null || parsed > Integer.MAX_VALUE) {
                        return done(RespReply.error("ERR value is not an integer or out of range"));
                    }
                    if (parsed < 1) {
                        return done(RespErrors.syntax());
                    }
                    count = parsed.intValue();
                }
                case "TYPE" -> type = command.argString(i + 1).toLowerCase(java.util.Locale.ROOT);
                default -> {
                    return done(RespErrors.syntax());
                }
            }
        }
        byte[] match = pattern;
        if (type == null) {
            return node.scan(cursor, count).thenApply(page -> scanReply(page.cursor(), matching(page, match)));
        }
        KeyType wanted = null;
        for (KeyType known : KeyType.values()) {
            wanted = known != KeyType.NONE && known.redisName().equals(type) ? known : wanted;
        }
        if (wanted == null) {
            // A type dkv does not store: the cursor still walks, returning nothing.
            return node.scan(cursor, count).thenApply(page -> scanReply(page.cursor(), List.of()));
        }
        // The key scan carries keys, not types: each key of the page is read to learn its type.
        KeyType filter = wanted;
        return node.scan(cursor, count).thenCompose(page -> {
            List<byte[]> keys = matching(page, match);
            List<CompletableFuture<Entry>> reads = new ArrayList<>();
            for (byte[] key : keys) {
                reads.add(node.read(key, session.readConsistency()));
            }
            return Futures.all(reads).thenApply(entries -> {
                List<byte[]> typed = new ArrayList<>();
                for (int i = 0; i < keys.size(); i++) {
                    if (node.typeOf(entries.get(i)) == filter) {
                        typed.add(keys.get(i));
                    }
                }
                return scanReply(page.cursor(), typed);
            });
        });
    }

    private static List<byte[]> matching(ScanPage page, byte[] pattern) {
        List<byte[]> keys = new ArrayList<>();
        for (byte[] key : page.keys()) {
            if (pattern == null || Glob.matches(pattern, key)) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static RespReply scanReply(long cursor, List<byte[]> keys) {
        List<RespReply> items = new ArrayList<>();
        for (byte[] key : keys) {
            items.add(new RespReply.Bulk(key));
        }
        return RespReply.array(List.of(RespReply.bulk(Long.toUnsignedString(cursor)), RespReply.array(items)));
    }

    private CompletableFuture<RespReply> keys(ClientSession session, RespCommand command) {
        byte[] pattern = command.arg(1);
        List<RespReply> found = new ArrayList<>();
        long[] bytes = {0};
        return node.forEachKey(batch -> {
            for (byte[] key : batch) {
                if (Glob.matches(pattern, key)) {
                    bytes[0] += key.length;
                    if (found.size() >= KEYS_MAX_KEYS || bytes[0] > KEYS_MAX_BYTES) {
                        throw new LimitExceededException("KEYS matches more than " + KEYS_MAX_KEYS + " keys or "
                                + (KEYS_MAX_BYTES >> 20) + " MiB of keys; iterate with SCAN instead");
                    }
                    found.add(new RespReply.Bulk(key));
                }
            }
        }).thenApply(done -> RespReply.array(found));
    }

    private CompletableFuture<RespReply> dbsize(ClientSession session, RespCommand command) {
        return node.estimateKeys().thenApply(RespReply::integer);
    }

    private CompletableFuture<RespReply> localSize(ClientSession session, RespCommand command) {
        return done(RespReply.integer(node.status().storedKeys()));
    }

    private CompletableFuture<RespReply> randomKey(ClientSession session, RespCommand command) {
        return node.randomKey().thenApply(RespReply::bulkOrNull);
    }

    private CompletableFuture<RespReply> type(ClientSession session, RespCommand command) {
        return node.read(command.arg(1), session.readConsistency())
                .thenApply(entry -> new RespReply.Simple(node.typeOf(entry).redisName()));
    }

    private CompletableFuture<RespReply> memory(ClientSession session, RespCommand command) {
        String sub = command.keyword(1);
        if (sub.equals("HELP")) {
            return done(RespReply.array(List.of(
                    new RespReply.Simple("MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"),
                    new RespReply.Simple("USAGE <key> [SAMPLES <count>]"),
                    new RespReply.Simple("    Return memory in bytes used by <key> and its value on each replica."),
                    new RespReply.Simple("HELP"),
                    new RespReply.Simple("    Print this help."))));
        }
        if (!sub.equals("USAGE")) {
            return done(RespReply.error("ERR unknown subcommand '" + command.argString(1) + "'. Try MEMORY HELP."));
        }
        if (command.argCount() < 3) {
            return done(RespErrors.wrongArity("MEMORY|USAGE"));
        }
        if (command.argCount() != 3) {
            if (command.argCount() != 5 || !command.keyword(3).equals("SAMPLES")) {
                return done(RespErrors.syntax());
            }
            Long samples = parseLong(command.argString(4));
            if (samples == null) {
                return done(RespReply.error("ERR value is not an integer or out of range"));
            }
            // A string has no elements to sample: SAMPLES changes nothing.
        }
        byte[] key = command.arg(2);
        return node.read(key, session.readConsistency()).thenApply(entry -> node.isLive(entry)
                ? RespReply.integer(key.length + entry.sizeBytes()) : RespReply.NULL);
    }

    /**
     * The cursor as Redis reads it (strtoul): an unsigned 64-bit number, where a negative one
     * wraps around ({@code -1} is the last position, past every key).
     */
    private static Long cursor(String text) {
        try {
            return text.startsWith("-") ? Long.parseLong(text) : Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
