package io.dkv.server.resp;

import io.dkv.core.Consistency;
import io.dkv.core.DkvException;
import io.dkv.server.acl.AccessControl;
import io.dkv.server.acl.AclCategory;
import io.dkv.server.acl.Permissions;
import io.dkv.server.acl.Users;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * Every command this server knows, by name, and the dispatch that checks, in Redis's order,
 * arity, authentication, the user's right to run the command and to touch its keys, and
 * then measures every command.
 */
final class CommandTable {

    /** A registered command with its ACL ids (one per subcommand that has its own categories). */
    private record Registered(CommandSpec spec, int aclId, Map<String, Integer> subcommandIds,
                              boolean noAuth, boolean readsKeys, boolean writesKeys) {
    }

    private final Map<String, Registered> specs = new HashMap<>();
    private final CommandMeters metrics;
    private final LongConsumer keyedRequests;
    private final AccessControl access;

    CommandTable(CommandMeters metrics) {
        this(metrics, Users.open(), nanos -> { });
    }

    /**
     * @param keyedRequests told how long each read or write of keys took (the node's headline
     *                      rate and p99): the same measurement as the metrics', taken once
     */
    CommandTable(CommandMeters metrics, Users users, LongConsumer keyedRequests) {
        this.metrics = metrics;
        this.keyedRequests = keyedRequests;
        this.access = new AccessControl(users, RefusedCommands.names());
    }

    void add(CommandSpec spec) {
        if (specs.containsKey(spec.name())) {
            throw new IllegalStateException("command " + spec.name() + " registered twice");
        }
        String lower = spec.name().toLowerCase(Locale.ROOT);
        int id = access.register(lower, spec.acl().categories());
        Map<String, Integer> subIds = new HashMap<>();
        spec.acl().subcommands().forEach((sub, categories) ->
                subIds.put(sub, access.register(lower + "|" + sub.toLowerCase(Locale.ROOT), categories)));
        specs.put(spec.name(), new Registered(spec, id, Map.copyOf(subIds), spec.flags().contains("no_auth"),
                spec.flags().contains("readonly"), spec.flags().contains("write")));
    }

    CommandSpec find(String name) {
        Registered registered = specs.get(name);
        return registered == null ? null : registered.spec();
    }

    Collection<CommandSpec> all() {
        return specs.values().stream().map(Registered::spec).toList();
    }

    /** The users compiled against the commands; call once every command is added. */
    AccessControl access() {
        return access.seal();
    }

    /** The commands and subcommands in a category, for {@code ACL CAT}. */
    List<String> commandsIn(AclCategory category) {
        return access.commandsIn(category);
    }

    /**
     * Runs a command and records it in the metrics once its reply is ready. A reply not ready
     * when this returns is recorded when it completes, and {@code whenLate} runs right after,
     * in the same completion stage (one stage per command rather than one for the metrics and
     * one for the caller).
     */
    CompletableFuture<RespReply> dispatch(ClientSession session, RespCommand command, Runnable whenLate) {
        if (command.rejection() != null) {
            return CompletableFuture.completedFuture(RespReply.error("ERR " + command.rejection()));
        }
        String name = command.name();
        Registered registered = specs.get(name);
        if (registered == null) {
            RespReply refused = RefusedCommands.refusal(name);
            return CompletableFuture.completedFuture(refused != null ? refused : RespErrors.unknownCommand(command));
        }
        CommandSpec spec = registered.spec();
        session.lastCommand(name);
        if (!spec.arityAccepts(command.argCount())) {
            return CompletableFuture.completedFuture(RespErrors.wrongArity(name));
        }
        RespReply refused = refusal(session.user(), registered, command);
        if (refused != null) {
            return CompletableFuture.completedFuture(refused);
        }
        long started = System.nanoTime();
        Consistency consistency = registered.writesKeys() ? session.writeConsistency()
                : registered.readsKeys() && spec.firstKey() > 0 ? session.readConsistency() : null;
        CompletableFuture<RespReply> reply;
        try {
            reply = spec.handler().execute(session, command);
        } catch (DkvException | IllegalArgumentException e) {
            reply = CompletableFuture.completedFuture(RespErrors.of(e));
        }
        if (reply.isDone()) {
            record(name, consistency, outcome(reply), System.nanoTime() - started);
            return reply;
        }
        reply.whenComplete((result, error) -> {
            try {
                record(name, consistency, CommandMeters.Outcome.of(error == null ? result : RespErrors.of(error)),
                        System.nanoTime() - started);
            } finally {
                whenLate.run(); // the connection's replies must go on whatever the metrics do
            }
        });
        return reply;
    }

    private void record(String name, Consistency consistency, CommandMeters.Outcome outcome, long nanos) {
        metrics.record(name, consistency, outcome, nanos);
        if (consistency != null) {
            keyedRequests.accept(nanos);
        }
    }

    /**
     * Why this user may not run this command, or {@code null} when it may: one bit test for
     * the command, and for users without {@code ~*} a pattern match per key it names.
     */
    private static RespReply refusal(Permissions user, Registered registered, RespCommand command) {
        if (user == null) {
            return registered.noAuth() ? null : RespErrors.noAuth();
        }
        int id = registered.aclId();
        String subcommand = null;
        if (!registered.subcommandIds().isEmpty() && command.argCount() > 1) {
            subcommand = command.keyword(1);
            id = registered.subcommandIds().getOrDefault(subcommand, id);
        }
        if (!user.mayRun(id)) {
            String name = registered.spec().name().toLowerCase(Locale.ROOT);
            if (subcommand != null && registered.subcommandIds().containsKey(subcommand)) {
                name += "|" + subcommand.toLowerCase(Locale.ROOT);
            }
            return RespErrors.noPermission(user.userName(), name);
        }
        CommandSpec spec = registered.spec();
        if (spec.firstKey() > 0 && !user.allKeys()) {
            int last = spec.lastKey() < 0 ? command.argCount() + spec.lastKey()
                    : Math.min(spec.lastKey(), command.argCount() - 1);
            for (int i = spec.firstKey(); i <= last; i += spec.step()) {
                if (!user.mayAccess(command.arg(i), registered.readsKeys(), registered.writesKeys())) {
                    return RespErrors.noKeyPermission();
                }
            }
        }
        return null;
    }

    private static CommandMeters.Outcome outcome(CompletableFuture<RespReply> done) {
        try {
            return CommandMeters.Outcome.of(done.join());
        } catch (RuntimeException e) {
            return CommandMeters.Outcome.of(RespErrors.of(e));
        }
    }
}
