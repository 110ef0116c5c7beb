package io.dkv.server.resp;

import io.dkv.server.acl.AclCategory;
import io.dkv.server.acl.AclUser;
import io.dkv.server.acl.CommandAcl;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.dkv.server.resp.Futures.done;

/**
 * {@code ACL WHOAMI}, {@code ACL LIST}, {@code ACL USERS} and {@code ACL CAT [category]}, with
 * Redis's replies. Users come from the node's settings; there is no {@code ACL SETUSER}.
 */
final class AclCommands {

    /** Categories as Redis gives them, per subcommand. */
    private static final CommandAcl ACL_ACL = CommandAcl.of("@slow")
            .sub("WHOAMI", "@slow").sub("CAT", "@slow")
            .sub("LIST", "@admin @slow @dangerous").sub("USERS", "@admin @slow @dangerous");

    private final CommandTable table;

    private AclCommands(CommandTable table) {
        this.table = table;
    }

    static void register(CommandTable table) {
        AclCommands commands = new AclCommands(table);
        table.add(new CommandSpec("ACL", -2, List.of(), 0, 0, 0, "server",
                "WHOAMI, LIST, USERS, CAT: the users, defined in the node's settings.", ACL_ACL, commands::acl));
    }

    private CompletableFuture<RespReply> acl(ClientSession session, RespCommand command) {
        String sub = command.keyword(1);
        switch (sub) {
            case "WHOAMI" -> {
                return command.argCount() != 2 ? done(RespErrors.wrongArity("ACL|WHOAMI"))
                        : done(RespReply.bulk(session.user().userName()));
            }
            case "USERS" -> {
                return command.argCount() != 2 ? done(RespErrors.wrongArity("ACL|USERS"))
                        : done(RespReply.bulkArray(table.access().users().byName().keySet().stream().sorted().toList()));
            }
            case "LIST" -> {
                return command.argCount() != 2 ? done(RespErrors.wrongArity("ACL|LIST"))
                        : done(RespReply.bulkArray(table.access().users().byName().values().stream()
                                .sorted((a, b) -> a.name().compareTo(b.name())).map(AclUser::describe).toList()));
            }
            case "CAT" -> {
                if (command.argCount() > 3) {
                    return done(RespErrors.wrongArity("ACL|CAT"));
                }
                if (command.argCount() == 2) {
                    return done(RespReply.bulkArray(Arrays.stream(AclCategory.values()).map(AclCategory::label).toList()));
                }
                AclCategory category;
                try {
                    category = AclCategory.parse(command.argString(2));
                } catch (IllegalArgumentException e) {
                    return done(RespReply.error("ERR " + e.getMessage()));
                }
                return done(RespReply.bulkArray(table.commandsIn(category)));
            }
            default -> {
                return done(RespReply.error("ERR unknown subcommand '" + command.argString(1) + "'. Try ACL HELP."));
            }
        }
    }
}
