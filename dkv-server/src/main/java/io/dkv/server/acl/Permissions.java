package io.dkv.server.acl;

/**
 * What one authenticated user may run and touch, compiled against the node's command table:
 * a bit per command (and per subcommand with its own categories) and the key patterns.
 * Checking a command is one bit test; checking a key is free for users with {@code ~*}.
 * Immutable, shared by every connection of the user.
 */
public final class Permissions {

    private final AclUser user;
    private final long[] commands;
    private final boolean readsAllKeys;
    private final boolean writesAllKeys;
    private final byte[][] readPatterns;
    private final byte[][] writePatterns;

    Permissions(AclUser user, long[] commands) {
        this.user = user;
        this.commands = commands;
        this.readsAllKeys = user.keys().stream().anyMatch(k -> k.read() && k.matchesEverything());
        this.writesAllKeys = user.keys().stream().anyMatch(k -> k.write() && k.matchesEverything());
        this.readPatterns = user.keys().stream().filter(KeyPattern::read).map(KeyPattern::bytes).toArray(byte[][]::new);
        this.writePatterns = user.keys().stream().filter(KeyPattern::write).map(KeyPattern::bytes).toArray(byte[][]::new);
    }

    public AclUser user() {
        return user;
    }

    public String userName() {
        return user.name();
    }

    /** Whether the user may run the command with this id (see {@link AccessControl#register}). */
    public boolean mayRun(int commandId) {
        return (commands[commandId >>> 6] & (1L << commandId)) != 0;
    }

    /** Whether the user may touch every key of any command (no key check needed). */
    public boolean allKeys() {
        return readsAllKeys && writesAllKeys;
    }

    /** Whether the user may read (when {@code read}) and write (when {@code write}) this key. */
    public boolean mayAccess(byte[] key, boolean read, boolean write) {
        return (!read || readsAllKeys || matchesAny(readPatterns, key))
                && (!write || writesAllKeys || matchesAny(writePatterns, key));
    }

    private static boolean matchesAny(byte[][] patterns, byte[] key) {
        for (byte[] pattern : patterns) {
            if (Glob.matches(pattern, key)) {
                return true;
            }
        }
        return false;
    }
}
