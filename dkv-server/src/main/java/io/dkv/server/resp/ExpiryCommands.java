package io.dkv.server.resp;

import io.dkv.cluster.ClusterNode;
import io.dkv.core.Expiry;
import io.dkv.server.acl.CommandAcl;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import static io.dkv.server.resp.Futures.done;

/**
 * Keys with a time to live: SETEX, PSETEX, GETEX, EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL,
 * PTTL, EXPIRETIME, PEXPIRETIME and PERSIST, with Redis 7's replies and errors.
 *
 * <p>An entry's expiry is a register of its own (docs/ARCHITECTURE.md, "Expiry"): EXPIRE and
 * PERSIST write it alone, blind, so they never undo a value written concurrently. Redis
 * answers 0 to EXPIRE and PERSIST on a missing key, so they read the key first and write
 * only when it exists; a key created by another client between the read and the write may
 * or may not get the expiry (each of the two orders is a possible outcome of the race).
 * Times are computed from and judged by the coordinating node's wall clock. Whether a key
 * exists is {@code ClusterNode.isLive}'s rule (live at that clock, not hidden by a flush), the
 * one every command follows.
 *
 * <p>EXPIRE's NX, XX, GT and LT make the write depend on the current expiry: refused, as
 * every compare-and-set is.
 */
final class ExpiryCommands {

    private final ClusterNode node;

    private ExpiryCommands(ClusterNode node) {
        this.node = node;
    }

    static void register(CommandTable table, ClusterNode node) {
        ExpiryCommands commands = new ExpiryCommands(node);
        CommandAcl expireAcl = CommandAcl.of("@keyspace @write @fast");
        CommandAcl ttlAcl = CommandAcl.of("@keyspace @read @fast");
        List<String> writeFast = List.of("write", "fast");
        List<String> readFast = List.of("readonly", "fast");
        table.add(new CommandSpec("SETEX", 4, List.of("write", "denyoom"), 1, 1, 1, "string",
                "Sets the value of a key and its time to live in seconds.",
                CommandAcl.of("@write @string @slow"), (s, c) -> commands.setex(s, c, ExpiryArguments.Unit.EX)));
        table.add(new CommandSpec("PSETEX", 4, List.of("write", "denyoom"), 1, 1, 1, "string",
                "Sets the value of a key and its time to live in milliseconds.",
                CommandAcl.of("@write @string @slow"), (s, c) -> commands.setex(s, c, ExpiryArguments.Unit.PX)));
        table.add(new CommandSpec("GETEX", -2, writeFast, 1, 1, 1, "string",
                "Returns the value of a key and sets (EX, PX, EXAT, PXAT) or removes (PERSIST) its expiry.",
                CommandAcl.of("@write @string @fast"), commands::getex));
        table.add(new CommandSpec("EXPIRE", -3, writeFast, 1, 1, 1, "generic",
                "Sets a key's time to live in seconds; NX, XX, GT and LT are refused.", expireAcl,
                (s, c) -> commands.expire(s, c, ExpiryArguments.Unit.EX)));
        table.add(new CommandSpec("PEXPIRE", -3, writeFast, 1, 1, 1, "generic",
                "Sets a key's time to live in milliseconds; NX, XX, GT and LT are refused.", expireAcl,
                (s, c) -> commands.expire(s, c, ExpiryArguments.Unit.PX)));
        table.add(new CommandSpec("EXPIREAT", -3, writeFast, 1, 1, 1, "generic",
                "Sets a key's expiry as a Unix time in seconds; NX, XX, GT and LT are refused.", expireAcl,
                (s, c) -> commands.expire(s, c, ExpiryArguments.Unit.EXAT)));
        table.add(new CommandSpec("PEXPIREAT", -3, writeFast, 1, 1, 1, "generic",
                "Sets a key's expiry as a Unix time in milliseconds; NX, XX, GT and LT are refused.", expireAcl,
                (s, c) -> commands.expire(s, c, ExpiryArguments.Unit.PXAT)));
        table.add(new CommandSpec("TTL", 2, readFast, 1, 1, 1, "generic",
                "A key's time to live in seconds (-1 without expiry, -2 when absent).", ttlAcl,
                (s, c) -> commands.ttl(s, c, false, false)));
        table.add(new CommandSpec("PTTL", 2, readFast, 1, 1, 1, "generic",
                "A key's time to live in milliseconds (-1 without expiry, -2 when absent).", ttlAcl,
                (s, c) -> commands.ttl(s, c, true, false)));
        table.add(new CommandSpec("EXPIRETIME", 2, readFast, 1, 1, 1, "generic",
                "A key's expiry as a Unix time in seconds (-1 without expiry, -2 when absent).", ttlAcl,
                (s, c) -> commands.ttl(s, c, false, true)));
        table.add(new CommandSpec("PEXPIRETIME", 2, readFast, 1, 1, 1, "generic",
                "A key's expiry as a Unix time in milliseconds (-1 without expiry, -2 when absent).", ttlAcl,
                (s, c) -> commands.ttl(s, c, true, true)));
        table.add(new CommandSpec("PERSIST", 2, writeFast, 1, 1, 1, "generic",
                "Removes a key's expiry; 1 when it had one.", expireAcl, commands::persist));
    }

    private CompletableFuture<RespReply> setex(ClientSession session, RespCommand command, ExpiryArguments.Unit unit) {
        String name = command.name().toLowerCase(Locale.ROOT);
        ExpiryArguments.Deadline deadline = ExpiryArguments.deadline(unit, command.arg(2), node.wallMillis(), name);
        if (deadline.error() != null) {
            return done(deadline.error());
        }
        return node.putExpiring(command.arg(1), command.arg(3), deadline.atMillis(), session.writeConsistency())
                .thenApply(result -> RespReply.OK);
    }

    /**
     * GETEX: the value as GET returns it; with an option, and when the key exists, a write of
     * its expiry. As in Redis 7.0, the expiry argument is checked only once the key is found.
     */
    private CompletableFuture<RespReply> getex(ClientSession session, RespCommand command) {
        ExpiryArguments.Options options = ExpiryArguments.parse(command, 2, false);
        if (options == null) {
            return done(RespErrors.syntax());
        }
        byte[] key = command.arg(1);
        return node.read(key, session.readConsistency()).thenCompose(entry -> {
            if (!node.isLive(entry)) {
                return done(RespReply.NULL);
            }
            byte[] string = node.stringOf(entry);
            if (string == null) {
                return done(RespReply.NULL);
            }
            RespReply value = new RespReply.Bulk(string);
            if (options.unit() != null) {
                ExpiryArguments.Deadline deadline = ExpiryArguments.deadline(options.unit(), options.expire(),
                        node.wallMillis(), "getex");
                if (deadline.error() != null) {
                    return done(deadline.error());
                }
                return node.setExpiry(key, deadline.atMillis(), session.writeConsistency()).thenApply(result -> value);
            }
            if (options.persist() && entry.expiry().isSet()) {
                return node.setExpiry(key, Expiry.NEVER, session.writeConsistency()).thenApply(result -> value);
            }
            return done(value);
        });
    }

    private CompletableFuture<RespReply> expire(ClientSession session, RespCommand command, ExpiryArguments.Unit unit) {
        String name = command.name().toLowerCase(Locale.ROOT);
        for (int i = 3; i < command.argCount(); i++) {
            String option = command.keyword(i);
            if (!List.of("NX", "XX", "GT", "LT").contains(option)) {
                return done(RespReply.error("ERR Unsupported option " + command.argString(i)));
            }
        }
        if (command.argCount() > 3) {
            return done(RespReply.error("ERR " + command.name().toUpperCase(Locale.ROOT) + " " + command.keyword(3)
                    + " is not supported: it makes the write depend on the key's current expiry, which needs an atomic"
                    + " compare-and-set that an eventually consistent store cannot give; use "
                    + command.name().toUpperCase(Locale.ROOT) + " without options (the last expiry written wins)"));
        }
        Long parsed = ExpiryArguments.parseLong(command.arg(2));
        if (parsed == null) {
            return done(ExpiryArguments.notAnInteger());
        }
        long when = parsed;
        // Redis allows zero and negative times (the key goes at once) and refuses only overflow.
        if (unit.seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                return done(ExpiryArguments.invalidExpireTime(name));
            }
            when *= 1000;
        }
        long now = node.wallMillis();
        if (unit.relative) {
            if (when > Long.MAX_VALUE - now) {
                return done(ExpiryArguments.invalidExpireTime(name));
            }
            when += now;
        }
        // Redis deletes a key whose new expiry is not after now (EXPIRE k 0 included), so such a
        // time is written as already past: 1 ms before now, which reads as expired at once (a key
        // expires once now is past its time). A time at or before the epoch is in the past as much
        // as 1 ms is, and 0 means "none".
        long expiresAt = Math.max(1, when <= now ? Math.min(when, now - 1) : when);
        byte[] key = command.arg(1);
        return node.read(key, session.readConsistency()).thenCompose(entry -> {
            if (!node.isLive(entry)) {
                return done(RespReply.integer(0));
            }
            return node.setExpiry(key, expiresAt, session.writeConsistency()).thenApply(result -> RespReply.integer(1));
        });
    }

    /**
     * TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 when the key is absent, -1 without expiry, else
     * rounded to the nearest second as Redis rounds ({@code (ms + 500) / 1000}).
     */
    private CompletableFuture<RespReply> ttl(ClientSession session, RespCommand command, boolean millis, boolean absolute) {
        return node.read(command.arg(1), session.readConsistency()).thenApply(entry -> {
            if (!node.isLive(entry)) {
                return RespReply.integer(-2);
            }
            if (!entry.expiry().isSet()) {
                return RespReply.integer(-1);
            }
            long time = absolute ? entry.expiry().atMillis()
                    : Math.max(0, entry.expiry().atMillis() - node.wallMillis());
            return RespReply.integer(millis ? time : (time + 500) / 1000);
        });
    }

    private CompletableFuture<RespReply> persist(ClientSession session, RespCommand command) {
        byte[] key = command.arg(1);
        return node.read(key, session.readConsistency()).thenCompose(entry -> {
            if (!node.isLive(entry) || !entry.expiry().isSet()) {
                return done(RespReply.integer(0));
            }
            return node.setExpiry(key, Expiry.NEVER, session.writeConsistency()).thenApply(result -> RespReply.integer(1));
        });
    }
}
