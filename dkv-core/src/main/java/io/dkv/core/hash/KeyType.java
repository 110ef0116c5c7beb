package io.dkv.core.hash;

/** What a key holds, as TYPE names it. */
public enum KeyType {
    NONE("none"), STRING("string"), HASH("hash");

    private final String redisName;

    KeyType(String redisName) {
        this.redisName = redisName;
    }

    /** The name TYPE answers and SCAN TYPE matches. */
    public String redisName() {
        return redisName;
    }
}
