package io.dkv.server.resp;

import io.dkv.cluster.ClusterNode;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.LimitExceededException;
import io.dkv.core.WrongTypeException;
import io.dkv.core.hash.Field;
import io.dkv.core.hash.HashFields;
import io.dkv.core.hash.KeyType;
import io.dkv.core.version.Version;
import io.dkv.server.acl.CommandAcl;
import io.dkv.server.acl.Glob;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import static io.dkv.server.resp.Futures.done;

/**
 * The hash commands. Each field merges on its own (docs/ARCHITECTURE.md, "Hashes: fields that
 * merge one by one"): HSET and HDEL are blind writes of the fields they name, so concurrent
 * writes of different fields through different nodes all survive. They read the key first,
 * at QUORUM, only to answer as Redis does: WRONGTYPE on a string, and how many fields were
 * added or removed (a count, like any read, that a concurrent write may make stale).
 *
 * <p>Fields are kept, and listed, in byte order of their names, where Redis lists a small
 * hash in insertion order; HSCAN returns the whole hash in one call with cursor 0, as Redis
 * does for a small hash.
 */
final class HashCommands {

    /** The most fields HRANDFIELD with a negative count (picks that may repeat) returns. */
    static final int MAX_REPEATED_PICKS = 1 << 20;

    private final ClusterNode node;

    private HashCommands(ClusterNode node) {
        this.node = node;
    }

    static void register(CommandTable table, ClusterNode node) {
        HashCommands commands = new HashCommands(node);
        table.add(new CommandSpec("HSET", -4, List.of("write", "denyoom", "fast"), 1, 1, 1, "hash",
                "Sets fields of a hash; returns how many were added. Each field merges on its own.",
                CommandAcl.of("@write @hash @fast"), (session, command) -> commands.hset(session, command, false)));
        table.add(new CommandSpec("HMSET", -4, List.of("write", "denyoom", "fast"), 1, 1, 1, "hash",
                "Sets fields of a hash, as HSET does, answering OK (deprecated in Redis).",
                CommandAcl.of("@write @hash @fast"), (session, command) -> commands.hset(session, command, true)));
        table.add(new CommandSpec("HDEL", -3, List.of("write", "fast"), 1, 1, 1, "hash",
                "Deletes fields of a hash (each leaves a field tombstone); returns how many it removed.",
                CommandAcl.of("@write @hash @fast"), commands::hdel));
        table.add(new CommandSpec("HGET", 3, List.of("readonly", "fast"), 1, 1, 1, "hash",
                "Returns the value of a hash field, or nil.", CommandAcl.of("@read @hash @fast"), commands::hget));
        table.add(new CommandSpec("HMGET", -3, List.of("readonly", "fast"), 1, 1, 1, "hash",
                "Returns the values of several hash fields.", CommandAcl.of("@read @hash @fast"), commands::hmget));
        table.add(new CommandSpec("HGETALL", 2, List.of("readonly"), 1, 1, 1, "hash",
                "Returns every field and value of a hash.", CommandAcl.of("@read @hash @slow"), commands::hgetall,
                "O(N) where N is the size of the hash"));
        table.add(new CommandSpec("HKEYS", 2, List.of("readonly"), 1, 1, 1, "hash",
                "Returns the field names of a hash.", CommandAcl.of("@read @hash @slow"), commands::hkeys,
                "O(N) where N is the size of the hash"));
        table.add(new CommandSpec("HVALS", 2, List.of("readonly"), 1, 1, 1, "hash",
                "Returns the values of a hash.", CommandAcl.of("@read @hash @slow"), commands::hvals,
                "O(N) where N is the size of the hash"));
        table.add(new CommandSpec("HLEN", 2, List.of("readonly", "fast"), 1, 1, 1, "hash",
                "Returns how many fields a hash has.", CommandAcl.of("@read @hash @fast"), commands::hlen));
        table.add(new CommandSpec("HEXISTS", 3, List.of("readonly", "fast"), 1, 1, 1, "hash",
                "Returns 1 when a hash has the field, else 0.", CommandAcl.of("@read @hash @fast"), commands::hexists));
        table.add(new CommandSpec("HSTRLEN", 3, List.of("readonly", "fast"), 1, 1, 1, "hash",
                "Returns the length of a hash field's value, 0 when absent.", CommandAcl.of("@read @hash @fast"),
                commands::hstrlen));
        table.add(new CommandSpec("HSCAN", -3, List.of("readonly"), 1, 1, 1, "hash",
                "Iterates over a hash's fields (MATCH, COUNT): the whole hash in one call, cursor 0.",
                CommandAcl.of("@read @hash @slow"), commands::hscan, "O(N) where N is the size of the hash"));
        table.add(new CommandSpec("HRANDFIELD", -2, List.of("readonly"), 1, 1, 1, "hash",
                "Returns random fields of a hash (count, WITHVALUES).", CommandAcl.of("@read @hash @slow"),
                commands::hrandfield, "O(N) where N is the number of fields returned"));
    }

    /** The fields named from {@code first} on, in pairs with values when {@code values}, the later of a repeated name winning. */
    private static NavigableMap<byte[], byte[]> names(RespCommand command, int first, boolean values) {
        NavigableMap<byte[], byte[]> fields = new TreeMap<>(Arrays::compareUnsigned);
        for (int i = first; i < command.argCount(); i += values ? 2 : 1) {
            fields.put(command.arg(i), values ? command.arg(i + 1) : null);
        }
        return fields;
    }

    private CompletableFuture<RespReply> hset(ClientSession session, RespCommand command, boolean hmset) {
        if (command.argCount() % 2 != 0) {
            return done(RespErrors.wrongArity(command.name()));
        }
        byte[] key = command.arg(1);
        NavigableMap<byte[], byte[]> fields = names(command, 2, true);
        return node.read(key, Consistency.QUORUM).thenCompose(entry -> {
            HashFields current = hashOf(entry);
            int added = 0;
            for (byte[] name : fields.keySet()) {
                Field field = current.get(name);
                added += field == null || field.isTombstone() ? 1 : 0;
            }
            long size = HashFields.merge(current, HashFields.written(fields, new Version(Long.MAX_VALUE, 0)),
                    Version.ZERO).sizeBytes();
            long limit = node.config().maxValueBytes();
            if (size > limit) {
                throw new LimitExceededException("the hash would take " + size + " bytes with its fields' bookkeeping,"
                        + " more than max-value-bytes (" + limit + ")");
            }
            // An expired key is gone for Redis: the write makes a new hash, hiding the old fields and expiry.
            boolean replacing = entry != null && entry.expiry().expiredAt(node.wallMillis());
            int count = added;
            return node.writeFields(key, fields, replacing, session.writeConsistency())
                    .thenApply(result -> hmset ? RespReply.OK : RespReply.integer(count));
        });
    }

    private CompletableFuture<RespReply> hdel(ClientSession session, RespCommand command) {
        byte[] key = command.arg(1);
        NavigableMap<byte[], byte[]> fields = names(command, 2, false);
        return node.read(key, Consistency.QUORUM).thenCompose(entry -> {
            HashFields current = hashOf(entry);
            int removed = 0;
            for (byte[] name : fields.keySet()) {
                Field field = current.get(name);
                removed += field == null || field.isTombstone() ? 0 : 1;
            }
            if (removed == 0) {
                return done(RespReply.integer(0));
            }
            // Every named field gets a tombstone, so a write of it the read missed cannot show later.
            int count = removed;
            return node.writeFields(key, fields, false, session.writeConsistency())
                    .thenApply(result -> RespReply.integer(count));
        });
    }

    /** The live hash {@code entry} shows a client (empty when absent); WRONGTYPE for a string. */
    private HashFields hashOf(Entry entry) {
        KeyType type = node.typeOf(entry);
        if (type == KeyType.STRING) {
            throw new WrongTypeException();
        }
        return type == KeyType.HASH ? entry.fields() : HashFields.EMPTY;
    }

    private CompletableFuture<RespReply> read(ClientSession session, RespCommand command,
                                              Function<HashFields, RespReply> answer) {
        return node.read(command.arg(1), session.readConsistency()).thenApply(entry -> answer.apply(hashOf(entry)));
    }

    private static byte[] valueOf(HashFields fields, byte[] name) {
        Field field = fields.get(name);
        return field == null ? null : field.value();
    }

    private CompletableFuture<RespReply> hget(ClientSession session, RespCommand command) {
        return read(session, command, fields -> RespReply.bulkOrNull(valueOf(fields, command.arg(2))));
    }

    private CompletableFuture<RespReply> hmget(ClientSession session, RespCommand command) {
        return read(session, command, fields -> {
            List<RespReply> items = new ArrayList<>();
            for (int i = 2; i < command.argCount(); i++) {
                items.add(RespReply.bulkOrNull(valueOf(fields, command.arg(i))));
            }
            return RespReply.array(items);
        });
    }

    private CompletableFuture<RespReply> hgetall(ClientSession session, RespCommand command) {
        return read(session, command, fields -> {
            List<RespReply> flat = new ArrayList<>();
            for (Map.Entry<byte[], byte[]> field : fields.live()) {
                flat.add(new RespReply.Bulk(field.getKey()));
                flat.add(new RespReply.Bulk(field.getValue()));
            }
            return new RespReply.MapReply(flat);
        });
    }

    private CompletableFuture<RespReply> hkeys(ClientSession session, RespCommand command) {
        return read(session, command, fields -> {
            List<RespReply> items = new ArrayList<>();
            fields.live().forEach(field -> items.add(new RespReply.Bulk(field.getKey())));
            return RespReply.array(items);
        });
    }

    private CompletableFuture<RespReply> hvals(ClientSession session, RespCommand command) {
        return read(session, command, fields -> {
            List<RespReply> items = new ArrayList<>();
            fields.live().forEach(field -> items.add(new RespReply.Bulk(field.getValue())));
            return RespReply.array(items);
        });
    }

    private CompletableFuture<RespReply> hlen(ClientSession session, RespCommand command) {
        return read(session, command, fields -> RespReply.integer(fields.liveCount()));
    }

    private CompletableFuture<RespReply> hexists(ClientSession session, RespCommand command) {
        return read(session, command, fields -> RespReply.integer(valueOf(fields, command.arg(2)) == null ? 0 : 1));
    }

    private CompletableFuture<RespReply> hstrlen(ClientSession session, RespCommand command) {
        return read(session, command, fields -> {
            byte[] value = valueOf(fields, command.arg(2));
            return RespReply.integer(value == null ? 0 : value.length);
        });
    }

    private CompletableFuture<RespReply> hscan(ClientSession session, RespCommand command) {
        String cursor = command.argString(2);
        try {
            if (!cursor.startsWith("-")) {
                Long.parseUnsignedLong(cursor);
            } else {
                Long.parseLong(cursor);
            }
        } catch (NumberFormatException e) {
            return done(RespReply.error("ERR invalid cursor"));
        }
        byte[] pattern = null;
        for (int i = 3; i < command.argCount(); i += 2) {
            String option = command.keyword(i);
            if (i + 1 >= command.argCount()) {
                return done(RespErrors.syntax());
            }
            if (option.equals("MATCH")) {
                pattern = command.arg(i + 1);
            } else if (option.equals("COUNT")) {
                long count;
                try {
                    count = Long.parseLong(command.argString(i + 1));
                } catch (NumberFormatException e) {
                    return done(RespReply.error("ERR value is not an integer or out of range"));
                }
                if (count < 1) {
                    return done(RespErrors.syntax());
                }
            } else {
                return done(RespErrors.syntax());
            }
        }
        byte[] match = pattern;
        return read(session, command, fields -> {
            List<RespReply> flat = new ArrayList<>();
            for (Map.Entry<byte[], byte[]> field : fields.live()) {
                if (match == null || Glob.matches(match, field.getKey())) {
                    flat.add(new RespReply.Bulk(field.getKey()));
                    flat.add(new RespReply.Bulk(field.getValue()));
                }
            }
            return RespReply.array(List.of(RespReply.bulk("0"), RespReply.array(flat)));
        });
    }

    /** HRANDFIELD as Redis answers it (t_hash.c): a count picks distinct fields, a negative one may repeat. */
    private CompletableFuture<RespReply> hrandfield(ClientSession session, RespCommand command) {
        if (command.argCount() == 2) {
            return read(session, command, fields -> {
                List<Map.Entry<byte[], byte[]>> live = fields.live();
                return live.isEmpty() ? RespReply.NULL
                        : new RespReply.Bulk(live.get(ThreadLocalRandom.current().nextInt(live.size())).getKey());
            });
        }
        long count;
        try {
            count = Long.parseLong(command.argString(2));
        } catch (NumberFormatException e) {
            return done(RespReply.error("ERR value is not an integer or out of range"));
        }
        boolean withValues = false;
        if (command.argCount() == 4 && command.keyword(3).equals("WITHVALUES")) {
            withValues = true;
        } else if (command.argCount() > 3) {
            return done(RespErrors.syntax());
        }
        if (count < -Long.MAX_VALUE / 2) {
            return done(RespReply.error("ERR value is out of range"));
        }
        if (count < -MAX_REPEATED_PICKS) {
            // Redis would build the reply whatever its size; one command must not exhaust the node's memory.
            return done(RespReply.error("ERR HRANDFIELD with a negative count returns at most " + MAX_REPEATED_PICKS
                    + " fields in dkv"));
        }
        boolean values = withValues;
        boolean resp3 = session.protocol() == 3;
        return read(session, command, fields -> {
            List<Map.Entry<byte[], byte[]>> live = new ArrayList<>(fields.live());
            List<Map.Entry<byte[], byte[]>> picked = new ArrayList<>();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            if (count < 0 && !live.isEmpty()) {
                for (long i = 0; i < -count; i++) {
                    picked.add(live.get(random.nextInt(live.size())));
                }
            } else if (count >= live.size()) {
                picked = live;
            } else {
                for (int i = 0; i < count; i++) {
                    int j = i + random.nextInt(live.size() - i);
                    Map.Entry<byte[], byte[]> swap = live.get(i);
                    live.set(i, live.get(j));
                    live.set(j, swap);
                    picked.add(live.get(i));
                }
            }
            List<RespReply> items = new ArrayList<>();
            for (Map.Entry<byte[], byte[]> field : picked) {
                if (!values) {
                    items.add(new RespReply.Bulk(field.getKey()));
                } else if (resp3) {
                    items.add(RespReply.array(List.of(new RespReply.Bulk(field.getKey()), new RespReply.Bulk(field.getValue()))));
                } else {
                    items.add(new RespReply.Bulk(field.getKey()));
                    items.add(new RespReply.Bulk(field.getValue()));
                }
            }
            return RespReply.array(items);
        });
    }
}
