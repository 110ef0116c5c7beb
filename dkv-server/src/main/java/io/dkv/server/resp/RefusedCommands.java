package io.dkv.server.resp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Redis commands dkv refuses on purpose, each with why and what to use instead.
 *
 * <p>The rule (docs/ARCHITECTURE.md, "Which commands dkv runs"): a command that writes
 * without a condition is a blind write with its own version, which replicas merge by
 * last-write-wins. A command whose effect depends on the current value needs an atomic
 * read-modify-write or compare-and-set across the replicas, which dkv does not offer: two
 * concurrent INCRs through different nodes would both read 1 and both write 2. Such commands
 * are refused rather than run with a lost-update bug. They are not in the command table, so
 * COMMAND, COMMAND INFO and COMMAND DOCS list only what works; a call gets this error
 * instead of "unknown command".
 */
final class RefusedCommands {

    private static final String READ_MODIFY_WRITE =
            "it reads and then writes a value as one atomic step, which dkv's replicas (last write wins, no locks)"
                    + " cannot give: concurrent calls would lose updates";
    private static final String CONDITIONAL =
            "it writes only if the key does not exist, a compare-and-set that dkv's replicas (last write wins)"
                    + " cannot give";
    private static final String TRANSACTION =
            "dkv has no transactions: commands on different keys go to different replicas and are never atomic"
                    + " together";

    private static final Map<String, String> REASONS = new LinkedHashMap<>();

    static {
        String counter = READ_MODIFY_WRITE + "; read with GET, compute, then SET (not atomic), or keep one key"
                + " per writer and add them up when reading";
        for (String name : new String[]{"INCR", "DECR", "INCRBY", "DECRBY", "INCRBYFLOAT"}) {
            REASONS.put(name, counter);
        }
        REASONS.put("SETNX", CONDITIONAL + "; use SET (the last write wins), or give each writer its own key");
        REASONS.put("MSETNX", CONDITIONAL + "; use MSET (each key's last write wins), or give each writer its own keys");
        REASONS.put("GETSET", READ_MODIFY_WRITE + "; read with GET, then write with SET");
        REASONS.put("GETDEL", READ_MODIFY_WRITE + "; read with GET, then delete with DEL");
        REASONS.put("APPEND", READ_MODIFY_WRITE + "; read with GET, append, then write the whole value with SET");
        REASONS.put("SETRANGE", READ_MODIFY_WRITE + "; read with GET, edit, then write the whole value with SET");
        REASONS.put("HSETNX", CONDITIONAL + "; write the field with HSET (the last write wins)");
        String hashCounter = READ_MODIFY_WRITE + "; read the field, compute, then write it with HSET (not atomic)";
        REASONS.put("HINCRBY", hashCounter);
        REASONS.put("HINCRBYFLOAT", hashCounter);
        String pipeline = TRANSACTION + "; send the commands in a pipeline without MULTI (each runs on its own)";
        REASONS.put("MULTI", pipeline);
        REASONS.put("EXEC", pipeline);
        REASONS.put("DISCARD", pipeline);
        String watch = TRANSACTION + ", and WATCH's optimistic lock is a compare-and-set it cannot give; send the"
                + " commands in a pipeline without MULTI (each runs on its own)";
        REASONS.put("WATCH", watch);
        REASONS.put("UNWATCH", watch);
    }

    private RefusedCommands() {
    }

    /** The error for a refused command (upper-case name), or {@code null} when it is not refused. */
    static RespReply refusal(String name) {
        String reason = REASONS.get(name);
        return reason == null ? null : RespReply.error("ERR " + name + " is not supported by dkv: " + reason);
    }

    /** The names refused, upper case. */
    static java.util.Set<String> names() {
        return REASONS.keySet();
    }
}
