package io.dkv.core.ring;

import net.openhft.hashing.LongHashFunction;

/**
 * The 64-bit hash that places keys on the ring: XXH3, which has full avalanche (every input
 * bit flips each output bit with probability one half) and hashes short keys in a few
 * nanoseconds. Every node must use the same function, so it is fixed here and not
 * configurable.
 */
public final class KeyHash {

    private static final LongHashFunction XXH3 = LongHashFunction.xx3();

    private KeyHash() {
    }

    public static long of(byte[] key) {
        return XXH3.hashBytes(key);
    }

    public static long of(byte[] key, int offset, int length) {
        return XXH3.hashBytes(key, offset, length);
    }
}
