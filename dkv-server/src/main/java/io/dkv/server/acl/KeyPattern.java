package io.dkv.server.acl;

import java.nio.charset.StandardCharsets;

/**
 * One key pattern of a user: {@code ~glob} (read and write), {@code %R~glob} (read only) or
 * {@code %W~glob} (write only), as in Redis 7.
 */
public record KeyPattern(String glob, boolean read, boolean write) {

    public KeyPattern {
        if (!read && !write) {
            throw new IllegalArgumentException("a key pattern must allow reading, writing or both: " + glob);
        }
    }

    boolean matchesEverything() {
        return glob.equals("*");
    }

    byte[] bytes() {
        return glob.getBytes(StandardCharsets.UTF_8);
    }

    /** As ACL LIST prints it. */
    String describe() {
        return (read && write ? "~" : read ? "%R~" : "%W~") + glob;
    }
}
