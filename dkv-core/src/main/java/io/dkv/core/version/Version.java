package io.dkv.core.version;

/**
 * What orders the writes to one key: a hybrid logical clock stamp, then the number of the
 * node that stamped it. Versions are totally ordered, so "the latest write wins" is well
 * defined on every replica no matter in which order the writes arrive.
 *
 * @param stamp a {@link HybridLogicalClock} stamp (milliseconds in the high 48 bits,
 *              a logical counter in the low 16)
 * @param node  the number of the node that stamped the write ({@code n3} is 3)
 */
public record Version(long stamp, int node) implements Comparable<Version> {

    /**
     * Below every version a node stamps: the version of a register a write did not touch
     * (an EXPIRE carries no value register, a SET KEEPTTL no expiry register), so that it
     * loses to every real write when registers merge.
     */
    public static final Version ZERO = new Version(0, 0);

    public Version {
        if (stamp < 0) {
            throw new IllegalArgumentException("stamp must not be negative: " + stamp);
        }
        if (node < 0) {
            throw new IllegalArgumentException("node must not be negative: " + node);
        }
    }

    @Override
    public int compareTo(Version other) {
        int byStamp = Long.compare(stamp, other.stamp);
        return byStamp != 0 ? byStamp : Integer.compare(node, other.node);
    }

    /** Whether this version came before, after or is the same as {@code other}. */
    public Occurred compare(Version other) {
        int order = compareTo(other);
        return order < 0 ? Occurred.BEFORE : order > 0 ? Occurred.AFTER : Occurred.EQUAL;
    }

    public boolean isAfter(Version other) {
        return compareTo(other) > 0;
    }

    /** Wall-clock milliseconds of the stamp (what a human would call "when"). */
    public long physicalMillis() {
        return HybridLogicalClock.physicalMillis(stamp);
    }

    @Override
    public String toString() {
        return HybridLogicalClock.physicalMillis(stamp) + "." + HybridLogicalClock.logical(stamp) + "@n" + node;
    }
}
