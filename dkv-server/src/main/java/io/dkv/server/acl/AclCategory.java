package io.dkv.server.acl;

import java.util.Locale;

/** Redis's command categories, by the names {@code ACL CAT} lists and rules use ({@code +@read}). */
public enum AclCategory {
    KEYSPACE, READ, WRITE, SET, SORTEDSET, LIST, HASH, STRING, BITMAP, HYPERLOGLOG, GEO, STREAM, PUBSUB,
    ADMIN, FAST, SLOW, BLOCKING, DANGEROUS, CONNECTION, TRANSACTION, SCRIPTING;

    /** The name without the {@code @}, as Redis prints it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code read} or {@code @read}; an unknown name is an {@link IllegalArgumentException} naming it. */
    public static AclCategory parse(String text) {
        String name = text.startsWith("@") ? text.substring(1) : text;
        for (AclCategory category : values()) {
            if (category.label().equalsIgnoreCase(name)) {
                return category;
            }
        }
        throw new IllegalArgumentException("Unknown category '" + name + "'");
    }
}
