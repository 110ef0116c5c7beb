package io.dkv.core;

/**
 * A node refused a version whose stamp is further ahead of its own clock than
 * {@code max-clock-skew-ms} allows. Adopting such a stamp would drag every clock that sees
 * it into the future (a peer a year ahead would make tombstones unpurgeable for a year),
 * so no path accepts it; the message names both nodes, since either clock may be the one
 * that is off.
 */
public final class ClockSkewException extends DkvException {

    private final int writer;
    private final long aheadMillis;

    /**
     * @param refusedBy    the node whose clock the version was compared with
     * @param writer       the number of the node that stamped the version
     * @param aheadMillis  how far the stamp is ahead of {@code refusedBy}'s clock
     * @param maxSkewMillis the configured bound
     */
    public ClockSkewException(NodeId refusedBy, int writer, long aheadMillis, long maxSkewMillis) {
        super("CLOCKSKEW " + refusedBy + " refused a version stamped by n" + writer + " " + aheadMillis
                + " ms ahead of its clock (max-clock-skew-ms is " + maxSkewMillis + "): the clock of n" + writer
                + " or of " + refusedBy + " is off; check NTP");
        this.writer = writer;
        this.aheadMillis = aheadMillis;
    }

    /** The number of the node that stamped the refused version. */
    public int writer() {
        return writer;
    }

    public long aheadMillis() {
        return aheadMillis;
    }
}
