package io.dkv.server.storage;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed array of locks chosen by a key's hash: what makes a read-compare-write on one key
 * atomic without a lock per key. Two keys share a lock with probability 1/stripes, which
 * only makes one wait for the other's short critical section.
 */
final class StripedLocks {

    private final ReentrantLock[] locks;

    StripedLocks(int stripes) {
        if (Integer.bitCount(stripes) != 1) {
            throw new IllegalArgumentException("stripes must be a power of two: " + stripes);
        }
        locks = new ReentrantLock[stripes];
        for (int i = 0; i < stripes; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    ReentrantLock forHash(long hash) {
        return locks[stripeOf(hash)];
    }

    /** The index of the lock {@link #forHash} gives: to take several, take them in index order. */
    int stripeOf(long hash) {
        return (int) (hash ^ (hash >>> 32)) & (locks.length - 1);
    }

    ReentrantLock stripe(int index) {
        return locks[index];
    }
}
