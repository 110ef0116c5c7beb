package io.dkv.core.storage;

import io.dkv.core.ring.KeyHash;

import java.util.Arrays;

/**
 * The order in which a partition's keys are streamed to a new replica: by the key's ring
 * hash (unsigned), then by the key's bytes (unsigned). It is the order the durable engine
 * keeps on disk (hash first, then key), so a stream resumes after its last key with one
 * seek; the memory engine sorts to match.
 */
public final class StreamOrder {

    private StreamOrder() {
    }

    public static int compare(byte[] a, byte[] b) {
        return compare(KeyHash.of(a), a, KeyHash.of(b), b);
    }

    public static int compare(long hashA, byte[] a, long hashB, byte[] b) {
        int byHash = Long.compareUnsigned(hashA, hashB);
        return byHash != 0 ? byHash : Arrays.compareUnsigned(a, b);
    }
}
