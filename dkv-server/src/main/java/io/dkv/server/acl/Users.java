package io.dkv.server.acl;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The users of one node, by name, always including {@code default} (the user a connection
 * starts as, and the one {@code AUTH password} names). Immutable.
 */
public record Users(Map<String, AclUser> byName) {

    /** Redis's default user when no password is set: anyone may do anything. */
    private static final String OPEN_DEFAULT = "user default on nopass ~* &* +@all";

    public Users {
        if (!byName.containsKey(AclUser.DEFAULT)) {
            throw new IllegalArgumentException("the default user is missing");
        }
        byName = Map.copyOf(byName);
    }

    /** No passwords: every connection is the default user, allowed everything. */
    public static Users open() {
        return of(null, List.of());
    }

    /**
     * The users a node's settings define: {@code requirepass} gives the default user a
     * password (as in Redis), each line of {@code users} defines a user in ACL syntax.
     *
     * @throws IllegalArgumentException naming the setting and the rule at fault
     */
    public static Users of(String requirepass, List<String> lines) {
        Map<String, AclUser> users = new TreeMap<>();
        AclUser defaultUser = AclUser.parse(OPEN_DEFAULT);
        if (requirepass != null && !requirepass.isEmpty()) {
            defaultUser = defaultUser.apply("resetpass").apply(">" + requirepass);
        }
        users.put(AclUser.DEFAULT, defaultUser);
        for (String line : lines) {
            AclUser user;
            try {
                user = AclUser.parse(line);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("users: '" + line + "': " + e.getMessage());
            }
            if (user.name().equals(AclUser.DEFAULT) && requirepass != null && !requirepass.isEmpty()) {
                throw new IllegalArgumentException("requirepass and a 'user default' line in users both define the"
                        + " default user; keep one");
            }
            if (users.put(user.name(), user) != null && !user.name().equals(AclUser.DEFAULT)) {
                throw new IllegalArgumentException("users: user '" + user.name() + "' is defined twice");
            }
        }
        return new Users(users);
    }

    public AclUser defaultUser() {
        return byName.get(AclUser.DEFAULT);
    }

    /** Whether a new connection must authenticate before it may run commands. */
    public boolean passwordRequired() {
        AclUser user = defaultUser();
        return !(user.enabled() && user.nopass());
    }

    /** The user that {@code name} and {@code password} authenticate, if any. */
    public Optional<AclUser> authenticate(String name, String password) {
        AclUser user = byName.get(name);
        if (user == null) {
            AclUser.sha256(password); // the same work as for a known user
            return Optional.empty();
        }
        return user.accepts(password) ? Optional.of(user) : Optional.empty();
    }
}
