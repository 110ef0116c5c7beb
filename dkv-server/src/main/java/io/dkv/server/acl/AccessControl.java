package io.dkv.server.acl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The node's users compiled against its commands. Commands (and subcommands with their own
 * categories) are registered first, each getting a small id; {@link #seal} then turns every
 * user's rules into {@link Permissions}, so checking a command at run time is one bit test.
 *
 * <p>Registration happens once at start on one thread; after {@link #seal} the object is
 * read-only and safe to share between event loops.
 */
public final class AccessControl {

    /** A command or {@code command|subcommand} with its categories. */
    public record Entry(int id, String name, Set<AclCategory> categories) {
    }

    private final Users users;
    private final Set<String> refusedNames;
    private final List<Entry> entries = new ArrayList<>();
    private Map<String, Permissions> permissions;

    public AccessControl(Users users) {
        this(users, Set.of());
    }

    /**
     * @param refusedNames commands (any case) that dkv knows and refuses for everyone (INCR,
     *                     MULTI, ...): a rule naming one is accepted and grants nothing, so a
     *                     user list written for Redis (e.g. {@code +incr}) still loads
     */
    public AccessControl(Users users, Set<String> refusedNames) {
        this.users = users;
        this.refusedNames = refusedNames.stream().map(name -> name.toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Registers a command or {@code command|subcommand} (lower case); returns its id. */
    public int register(String name, Set<AclCategory> categories) {
        if (permissions != null) {
            throw new IllegalStateException("command " + name + " registered after the users were compiled");
        }
        Entry entry = new Entry(entries.size(), name.toLowerCase(Locale.ROOT), Set.copyOf(categories));
        entries.add(entry);
        return entry.id();
    }

    /**
     * Compiles every user's rules. A rule naming an unknown command is refused here, with the
     * user and rule in the message.
     */
    public AccessControl seal() {
        if (permissions == null) {
            Map<String, Permissions> compiled = new HashMap<>();
            users.byName().forEach((name, user) -> compiled.put(name, compile(user)));
            permissions = compiled;
        }
        return this;
    }

    public Users users() {
        return users;
    }

    /** What a new connection may do: the default user's permissions, or {@code null} when it must authenticate. */
    public Permissions onConnect() {
        return users.passwordRequired() ? null : sealed().get(AclUser.DEFAULT);
    }

    /** The permissions of the user these credentials authenticate, or {@code null}. */
    public Permissions authenticate(String name, String password) {
        return users.authenticate(name, password).map(user -> sealed().get(user.name())).orElse(null);
    }

    /** The commands and subcommands in a category, lower case, in registration order. */
    public List<String> commandsIn(AclCategory category) {
        return entries.stream().filter(e -> e.categories().contains(category)).map(Entry::name).toList();
    }

    private Map<String, Permissions> sealed() {
        if (permissions == null) {
            throw new IllegalStateException("users not compiled yet: call seal() after registering the commands");
        }
        return permissions;
    }

    private Permissions compile(AclUser user) {
        long[] bits = new long[(entries.size() + 63) / 64 + 1];
        for (String rule : user.commandRules()) {
            boolean allow = rule.charAt(0) == '+';
            String target = rule.substring(1);
            boolean matched = false;
            for (Entry entry : entries) {
                boolean applies;
                if (target.equals("@all")) {
                    applies = true;
                } else if (target.startsWith("@")) {
                    applies = entry.categories().contains(AclCategory.parse(target));
                } else {
                    applies = entry.name().equals(target) || !target.contains("|") && entry.name().startsWith(target + "|");
                }
                if (applies) {
                    matched = true;
                    if (allow) {
                        bits[entry.id() >>> 6] |= 1L << entry.id();
                    } else {
                        bits[entry.id() >>> 6] &= ~(1L << entry.id());
                    }
                }
            }
            if (!matched && !target.startsWith("@") && !refusedNames.contains(target.split("\\|", 2)[0])) {
                throw new IllegalArgumentException("users: user '" + user.name() + "': Error in ACL SETUSER modifier '"
                        + rule + "': Unknown command or category name in ACL");
            }
        }
        return new Permissions(user, bits);
    }
}
