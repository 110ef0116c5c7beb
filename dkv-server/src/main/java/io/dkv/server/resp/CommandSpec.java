package io.dkv.server.resp;

import io.dkv.server.acl.CommandAcl;

import java.util.List;

/**
 * A command's name, shape and documentation, as {@code COMMAND} and {@code COMMAND DOCS}
 * report them, and the handler that runs it.
 *
 * @param name     upper-case name
 * @param arity    Redis convention: n means exactly n arguments (the name included), -n at least n
 * @param flags    Redis command flags, e.g. {@code readonly}, {@code write}, {@code fast};
 *                 {@code no_auth} lets a connection run it before it has authenticated
 * @param firstKey position of the first key argument (0 when none)
 * @param lastKey  position of the last key argument (-1 for the last argument)
 * @param step     distance between key arguments
 * @param group    documentation group, e.g. {@code string}
 * @param summary  one-line description
 * @param acl      its ACL categories, as Redis assigns them (what {@code +@read} and the like select)
 * @param complexity what COMMAND DOCS reports as its cost; {@code null} for the usual O(1), or
 *                 O(N) in the keys named
 */
record CommandSpec(String name, int arity, List<String> flags, int firstKey, int lastKey, int step,
                   String group, String summary, CommandAcl acl, CommandHandler handler, String complexity) {

    CommandSpec(String name, int arity, List<String> flags, int firstKey, int lastKey, int step,
                String group, String summary, CommandAcl acl, CommandHandler handler) {
        this(name, arity, flags, firstKey, lastKey, step, group, summary, acl, handler, null);
    }

    boolean arityAccepts(int argCount) {
        return arity >= 0 ? argCount == arity : argCount >= -arity;
    }
}
