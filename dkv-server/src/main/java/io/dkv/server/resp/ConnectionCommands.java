package io.dkv.server.resp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.dkv.server.resp.Futures.done;

/** Connection handling: PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH, CLIENT. */
final class ConnectionCommands {

    private final ServerInfo info;
    private final ClientCounters stats;

    private ConnectionCommands(ServerInfo info, ClientCounters stats) {
        this.info = info;
        this.stats = stats;
    }

    static void register(CommandTable table, ServerInfo info, ClientCounters stats) {
        ConnectionCommands commands = new ConnectionCommands(info, stats);
        table.add(new CommandSpec("PING", -1, List.of("fast"), 0, 0, 0, "connection",
                "Returns PONG, or the given message.", commands::ping));
        table.add(new CommandSpec("ECHO", 2, List.of("fast"), 0, 0, 0, "connection",
                "Returns the given message.", (s, c) -> done(new RespReply.Bulk(c.arg(1)))));
        table.add(new CommandSpec("SELECT", 2, List.of("fast"), 0, 0, 0, "connection",
                "Selects database 0, the only one.", commands::select));
        table.add(new CommandSpec("QUIT", -1, List.of("fast"), 0, 0, 0, "connection",
                "Closes the connection.", commands::quit));
        table.add(new CommandSpec("RESET", 1, List.of("fast"), 0, 0, 0, "connection",
                "Resets the connection's state.", commands::reset));
        table.add(new CommandSpec("HELLO", -1, List.of("fast"), 0, 0, 0, "connection",
                "Handshakes, optionally switching to RESP3.", commands::hello));
        table.add(new CommandSpec("AUTH", -2, List.of("fast"), 0, 0, 0, "connection",
                "Refused: dkv has no passwords configured.", (s, c) -> done(noPassword())));
        table.add(new CommandSpec("CLIENT", -2, List.of(), 0, 0, 0, "connection",
                "SETNAME, GETNAME, SETINFO, ID, INFO, LIST.", commands::client));
    }

    private CompletableFuture<RespReply> ping(ClientSession session, RespCommand command) {
        if (command.argCount() > 2) {
            return done(RespErrors.wrongArity("PING"));
        }
        return done(command.argCount() == 2 ? new RespReply.Bulk(command.arg(1)) : new RespReply.Simple("PONG"));
    }

    private CompletableFuture<RespReply> select(ClientSession session, RespCommand command) {
        return done(command.argString(1).equals("0") ? RespReply.OK : RespReply.error("ERR DB index is out of range"));
    }

    private CompletableFuture<RespReply> quit(ClientSession session, RespCommand command) {
        session.closeAfterReply();
        return done(RespReply.OK);
    }

    private CompletableFuture<RespReply> reset(ClientSession session, RespCommand command) {
        session.protocol(2);
        session.name("");
        return done(new RespReply.Simple("RESET"));
    }

    private CompletableFuture<RespReply> hello(ClientSession session, RespCommand command) {
        int protocol = session.protocol();
        int next = 1;
        if (command.argCount() > 1) {
            try {
                protocol = Integer.parseInt(command.argString(1));
            } catch (NumberFormatException e) {
                return done(RespReply.error("ERR Protocol version is not an integer or out of range"));
            }
            if (protocol < 2 || protocol > 3) {
                return done(RespReply.error("NOPROTO unsupported protocol version"));
            }
            next = 2;
        }
        String name = null;
        while (next < command.argCount()) {
            String option = command.keyword(next);
            if (option.equals("AUTH") && next + 2 < command.argCount()) {
                return done(noPassword());
            } else if (option.equals("SETNAME") && next + 1 < command.argCount()) {
                name = command.argString(next + 1);
                next += 2;
            } else {
                return done(RespReply.error("ERR Syntax error in HELLO option '" + command.argString(next) + "'"));
            }
        }
        session.protocol(protocol);
        if (name != null) {
            session.name(name);
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("server", "dkv");
        reply.put("version", ServerInfo.REDIS_COMPATIBLE_VERSION);
        reply.put("dkv-version", info.version());
        reply.put("proto", protocol);
        reply.put("id", session.id());
        reply.put("mode", "standalone");
        reply.put("role", "master");
        reply.put("modules", RespReply.EMPTY_ARRAY);
        return done(RespReply.map(reply));
    }

    private CompletableFuture<RespReply> client(ClientSession session, RespCommand command) {
        String sub = command.keyword(1);
        switch (sub) {
            case "SETNAME" -> {
                if (command.argCount() != 3) {
                    return done(RespErrors.wrongArity("CLIENT|SETNAME"));
                }
                String name = command.argString(2);
                if (name.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                    return done(RespReply.error("ERR Client names cannot contain spaces, newlines or special characters."));
                }
                session.name(name);
                return done(RespReply.OK);
            }
            case "GETNAME" -> {
                return done(session.name().isEmpty() ? RespReply.NULL : RespReply.bulk(session.name()));
            }
            case "SETINFO" -> {
                if (command.argCount() != 4) {
                    return done(RespErrors.wrongArity("CLIENT|SETINFO"));
                }
                String attribute = command.keyword(2);
                if (attribute.equals("LIB-NAME")) {
                    session.libraryName(command.argString(3));
                } else if (attribute.equals("LIB-VER")) {
                    session.libraryVersion(command.argString(3));
                } else {
                    return done(RespReply.error("ERR Unrecognized option '" + command.argString(2) + "'"));
                }
                return done(RespReply.OK);
            }
            case "ID" -> {
                return done(RespReply.integer(session.id()));
            }
            case "INFO" -> {
                return done(RespReply.bulk(session.describe() + "\n"));
            }
            case "LIST" -> {
                List<String> lines = new ArrayList<>();
                stats.clients().forEach(client -> lines.add(client.describe()));
                return done(RespReply.bulk(String.join("\n", lines) + "\n"));
            }
            case "NO-EVICT", "NO-TOUCH" -> {
                return done(RespReply.OK);
            }
            default -> {
                return done(RespReply.error("ERR unknown subcommand '" + command.argString(1)
                        + "'. Try CLIENT SETNAME, GETNAME, SETINFO, ID, INFO or LIST."));
            }
        }
    }

    private static RespReply noPassword() {
        return RespReply.error("ERR AUTH <password> called without any password configured for the default user."
                + " Are you sure your configuration is correct?");
    }
}
