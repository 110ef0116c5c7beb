package io.dkv.server.resp;

import io.dkv.server.acl.AclUser;
import io.dkv.server.acl.CommandAcl;
import io.dkv.server.acl.Permissions;
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
    private final CommandTable table;

    private ConnectionCommands(ServerInfo info, ClientCounters stats, CommandTable table) {
        this.info = info;
        this.stats = stats;
        this.table = table;
    }

    static void register(CommandTable table, ServerInfo info, ClientCounters stats) {
        ConnectionCommands commands = new ConnectionCommands(info, stats, table);
        table.add(new CommandSpec("PING", -1, List.of("fast"), 0, 0, 0, "connection",
                "Returns PONG, or the given message.", CommandAcl.of("@fast @connection"), commands::ping));
        table.add(new CommandSpec("ECHO", 2, List.of("fast"), 0, 0, 0, "connection",
                "Returns the given message.",
                CommandAcl.of("@fast @connection"), (s, c) -> done(new RespReply.Bulk(c.arg(1)))));
        table.add(new CommandSpec("SELECT", 2, List.of("fast"), 0, 0, 0, "connection",
                "Selects database 0, the only one.", CommandAcl.of("@fast @connection"), commands::select));
        table.add(new CommandSpec("QUIT", -1, List.of("fast", "no_auth"), 0, 0, 0, "connection",
                "Closes the connection.", CommandAcl.of("@fast @connection"), commands::quit));
        table.add(new CommandSpec("RESET", 1, List.of("fast", "no_auth"), 0, 0, 0, "connection",
                "Resets the connection's state.", CommandAcl.of("@fast @connection"), commands::reset));
        table.add(new CommandSpec("HELLO", -1, List.of("fast", "no_auth"), 0, 0, 0, "connection",
                "Handshakes, optionally switching to RESP3.", CommandAcl.of("@fast @connection"), commands::hello));
        table.add(new CommandSpec("AUTH", -2, List.of("fast", "no_auth"), 0, 0, 0, "connection",
                "Authenticates the connection: AUTH password, or AUTH user password.",
                CommandAcl.of("@fast @connection"), commands::auth));
        table.add(new CommandSpec("CLIENT", -2, List.of(), 0, 0, 0, "connection",
                "SETNAME, GETNAME, SETINFO, ID, INFO, LIST.", CLIENT_ACL, commands::client));
    }

    /** Categories as Redis gives them, per subcommand. */
    private static final CommandAcl CLIENT_ACL = CommandAcl.of("@slow")
            .sub("SETNAME", "@slow @connection").sub("GETNAME", "@slow @connection")
            .sub("SETINFO", "@slow @connection").sub("ID", "@slow @connection").sub("INFO", "@slow @connection")
            .sub("LIST", "@admin @slow @dangerous @connection").sub("NO-EVICT", "@admin @slow @dangerous @connection")
            .sub("NO-TOUCH", "@slow @connection");

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
        session.user(table.access().onConnect());
        return done(new RespReply.Simple("RESET"));
    }

    private CompletableFuture<RespReply> auth(ClientSession session, RespCommand command) {
        if (command.argCount() > 3) {
            return done(RespErrors.syntax());
        }
        if (command.argCount() == 2 && !table.access().users().passwordRequired()) {
            return done(noPassword());
        }
        String user = command.argCount() == 3 ? command.argString(1) : AclUser.DEFAULT;
        String password = command.argString(command.argCount() - 1);
        return done(authenticate(session, user, password) ? RespReply.OK : RespErrors.wrongPass());
    }

    /** Switches the connection to the user these credentials name; a failed attempt changes nothing. */
    private boolean authenticate(ClientSession session, String user, String password) {
        Permissions permissions = table.access().authenticate(user, password);
        if (permissions == null) {
            return false;
        }
        session.user(permissions);
        return true;
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
        String user = null;
        String password = null;
        while (next < command.argCount()) {
            String option = command.keyword(next);
            if (option.equals("AUTH") && next + 2 < command.argCount()) {
                user = command.argString(next + 1);
                password = command.argString(next + 2);
                next += 3;
            } else if (option.equals("SETNAME") && next + 1 < command.argCount()) {
                name = command.argString(next + 1);
                next += 2;
            } else {
                return done(RespReply.error("ERR Syntax error in HELLO option '" + command.argString(next) + "'"));
            }
        }
        if (user != null) {
            if (!authenticate(session, user, password)) {
                return done(RespErrors.wrongPass());
            }
        } else if (session.user() == null) {
            return done(RespReply.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the"
                    + " HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol"
                    + " version at the same time"));
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
