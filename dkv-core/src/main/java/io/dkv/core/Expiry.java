package io.dkv.core;

import io.dkv.core.version.Version;

import java.util.Objects;

/**
 * The expiry register of an entry: when the key expires, as an absolute wall-clock time,
 * or {@link #NEVER}, and the version of the write that set it. It merges by last write wins
 * on its own, apart from the value, so that EXPIRE, PERSIST and SET KEEPTTL (each a write
 * of one register) never overwrite a value or an expiry written concurrently.
 *
 * @param atMillis epoch milliseconds after which the key reads as absent, or {@link #NEVER}
 * @param version  the version of the write that set this register
 */
public record Expiry(long atMillis, Version version) {

    /** No expiry: the key lives until it is deleted or overwritten. */
    public static final long NEVER = 0;

    /** The register of a write that did not touch it: no expiry, lowest version. */
    public static final Expiry ABSENT = new Expiry(NEVER, Version.ZERO);

    public Expiry {
        Objects.requireNonNull(version, "version");
        if (atMillis < 0) {
            throw new IllegalArgumentException("atMillis must not be negative: " + atMillis);
        }
    }

    /** A register that says "no expiry", written at {@code version} (a plain SET, a DEL, a PERSIST). */
    public static Expiry never(Version version) {
        return new Expiry(NEVER, version);
    }

    public static Expiry at(long atMillis, Version version) {
        if (atMillis == NEVER) {
            throw new IllegalArgumentException("an expiry time must be after the epoch");
        }
        return new Expiry(atMillis, version);
    }

    public boolean isSet() {
        return atMillis != NEVER;
    }

    /** Whether a key with this expiry reads as absent at {@code nowMillis} (Redis: expired once now is past the time). */
    public boolean expiredAt(long nowMillis) {
        return isSet() && atMillis < nowMillis;
    }

    /**
     * The register that wins: the higher version; at equal versions (the same write, so
     * equal in practice) the later time, so the rule stays a total order and merging stays
     * commutative, associative and idempotent.
     */
    public static Expiry newer(Expiry a, Expiry b) {
        int order = a.version.compareTo(b.version);
        if (order != 0) {
            return order > 0 ? a : b;
        }
        return a.atMillis >= b.atMillis ? a : b;
    }

    @Override
    public String toString() {
        return (isSet() ? "expires " + atMillis : "no expiry") + " @ " + version;
    }
}
