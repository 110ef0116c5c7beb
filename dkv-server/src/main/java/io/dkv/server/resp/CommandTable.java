package io.dkv.server.resp;

import io.dkv.core.Consistency;
import io.dkv.core.DkvException;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Every command this server knows, by name, and the dispatch that checks arity first and measures every command. */
final class CommandTable {

    private final Map<String, CommandSpec> specs = new HashMap<>();
    private final CommandMeters metrics;

    CommandTable(CommandMeters metrics) {
        this.metrics = metrics;
    }

    void add(CommandSpec spec) {
        if (specs.putIfAbsent(spec.name(), spec) != null) {
            throw new IllegalStateException("command " + spec.name() + " registered twice");
        }
    }

    CommandSpec find(String name) {
        return specs.get(name);
    }

    Collection<CommandSpec> all() {
        return specs.values();
    }

    CompletableFuture<RespReply> dispatch(ClientSession session, RespCommand command) {
        if (command.rejection() != null) {
            return CompletableFuture.completedFuture(RespReply.error("ERR " + command.rejection()));
        }
        String name = command.name();
        CommandSpec spec = specs.get(name);
        if (spec == null) {
            return CompletableFuture.completedFuture(RespErrors.unknownCommand(command));
        }
        session.lastCommand(name);
        if (!spec.arityAccepts(command.argCount())) {
            return CompletableFuture.completedFuture(RespErrors.wrongArity(name));
        }
        long started = System.nanoTime();
        Consistency consistency = spec.flags().contains("write") ? session.writeConsistency()
                : spec.flags().contains("readonly") && spec.firstKey() > 0 ? session.readConsistency() : null;
        CompletableFuture<RespReply> reply;
        try {
            reply = spec.handler().execute(session, command);
        } catch (DkvException | IllegalArgumentException e) {
            reply = CompletableFuture.completedFuture(RespErrors.of(e));
        }
        if (reply.isDone()) {
            metrics.record(name, consistency, outcome(reply), System.nanoTime() - started);
            return reply;
        }
        return reply.whenComplete((result, error) ->
                metrics.record(name, consistency, error == null ? CommandMeters.Outcome.of(result) : CommandMeters.Outcome.of(RespErrors.of(error)),
                        System.nanoTime() - started));
    }

    private static CommandMeters.Outcome outcome(CompletableFuture<RespReply> done) {
        try {
            return CommandMeters.Outcome.of(done.join());
        } catch (RuntimeException e) {
            return CommandMeters.Outcome.of(RespErrors.of(e));
        }
    }
}
