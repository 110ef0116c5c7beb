package io.dkv.server.resp;

import io.dkv.core.DkvException;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Every command this server knows, by name, and the dispatch that checks arity first. */
final class CommandTable {

    private final Map<String, CommandSpec> specs = new HashMap<>();

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
        try {
            return spec.handler().execute(session, command);
        } catch (DkvException | IllegalArgumentException e) {
            return CompletableFuture.completedFuture(RespErrors.of(e));
        }
    }
}
