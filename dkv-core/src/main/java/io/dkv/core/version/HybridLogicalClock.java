package io.dkv.core.version;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock: stamps that follow wall-clock time when clocks behave, and
 * still never go backwards and always exceed every stamp this clock has observed when
 * they do not.
 *
 * <p>Thread-safe: the state is one {@link AtomicLong} updated by compare-and-set.
 */
public final class HybridLogicalClock {

    /*
     * Kulkarni, Demirbas et al., "Logical Physical Clocks and Consistent Snapshots in
     * Globally Distributed Databases" (2014). A stamp packs the two HLC components into one
     * long so that comparing stamps is comparing longs: the high 48 bits hold milliseconds
     * (good until the year 10889), the low 16 bits a counter that orders events within the
     * same millisecond. When more than 65,535 events share a millisecond the counter carries
     * into the millisecond field: the clock runs slightly ahead of the wall for a moment,
     * which keeps it monotonic and is what HLC allows.
     *
     * Receiving a stamp only raises the floor; the next local stamp is then strictly
     * greater than anything observed, which is the property replication needs.
     */

    static final int LOGICAL_BITS = 16;
    private static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;
    /** The largest skew bound accepted: a day. Far below where a stamp could overflow. */
    public static final long MAX_SKEW_BOUND_MILLIS = 86_400_000L;

    private final LongSupplier physicalClockMillis;
    private final long maxSkewMillis;
    private final AtomicLong last = new AtomicLong();
    private final StampLease lease;
    /** How far ahead of the wall clock a lease is taken: half the skew bound. */
    private final long leaseAheadMillis;
    /** Stamps up to this may be issued without recording anything first. */
    private volatile long leasedUpTo;

    /**
     * @param physicalClockMillis the wall clock in milliseconds; it may jump in either direction
     * @param maxSkewMillis       how far ahead of this clock an observed stamp may be; further
     *                            ahead, {@link #observe} refuses it (at most a day)
     */
    public HybridLogicalClock(LongSupplier physicalClockMillis, long maxSkewMillis) {
        this(physicalClockMillis, maxSkewMillis, StampLease.NONE);
    }

    /**
     * A clock whose stamps survive restarts: it starts above {@code lease.floor()} and never
     * issues a stamp beyond what {@code lease} has durably recorded.
     */
    public HybridLogicalClock(LongSupplier physicalClockMillis, long maxSkewMillis, StampLease lease) {
        if (maxSkewMillis < 0 || maxSkewMillis > MAX_SKEW_BOUND_MILLIS) {
            throw new IllegalArgumentException("maxSkewMillis must be between 0 and " + MAX_SKEW_BOUND_MILLIS
                    + ", got " + maxSkewMillis);
        }
        this.physicalClockMillis = physicalClockMillis;
        this.maxSkewMillis = maxSkewMillis;
        this.lease = lease;
        this.leaseAheadMillis = Math.max(1, maxSkewMillis / 2);
        long floor = lease.floor();
        this.last.set(floor);
        this.leasedUpTo = lease.durable() ? floor : Long.MAX_VALUE;
    }

    /**
     * A new stamp, greater than every stamp this clock returned or observed before. Stamps
     * stay below (wall clock + max skew + the counter's carry), so they cannot overflow.
     */
    public long now() {
        long physical = physicalClockMillis.getAsLong() << LOGICAL_BITS;
        while (true) {
            long previous = last.get();
            long next = Math.max(Math.addExact(previous, 1), physical);
            if (last.compareAndSet(previous, next)) {
                if (next > leasedUpTo) {
                    extendLease(next);
                }
                return next;
            }
        }
    }

    /*
     * The lease (after the Cassandra/CockroachDB habit of persisting a clock high-water mark
     * ahead of use): before a stamp beyond the recorded lease is returned, the lease is
     * extended to half the skew bound past the wall clock and recorded durably. renewLease,
     * run periodically, keeps it ahead so that writes do not wait for the record. After a
     * restart the clock starts at the recorded lease, above every stamp issued before, and
     * at most half the skew bound ahead of the wall clock at the time it stopped: peers
     * accept its stamps.
     */

    /** Keeps the lease ahead of the wall clock; call periodically (every quarter of the skew bound). */
    public void renewLease() {
        if (leasedUpTo == Long.MAX_VALUE) {
            return;
        }
        long wall = physicalClockMillis.getAsLong();
        if (leasedUpTo < stampOf(wall + leaseAheadMillis / 2)) {
            extendLease(Math.max(last.get(), stampOf(wall)));
        }
    }

    private synchronized void extendLease(long needed) {
        if (needed <= leasedUpTo) {
            return;
        }
        long to = Math.max(needed, stampOf(physicalClockMillis.getAsLong() + leaseAheadMillis));
        lease.extendTo(to);
        leasedUpTo = to;
    }

    /**
     * Makes every later {@link #now()} exceed {@code stamp} (a stamp received from a peer),
     * unless the stamp is more than the skew bound ahead of this clock's wall time.
     *
     * @return false, changing nothing, when the stamp is too far ahead
     */
    public boolean observe(long stamp) {
        if (aheadMillis(stamp) > maxSkewMillis) {
            return false;
        }
        last.accumulateAndGet(stamp, Math::max);
        return true;
    }

    /** How many milliseconds {@code stamp} is ahead of this clock's wall time (zero or less when it is not). */
    public long aheadMillis(long stamp) {
        return physicalMillis(stamp) - physicalClockMillis.getAsLong();
    }

    /** Whether {@link #observe} would accept {@code stamp}. */
    public boolean acceptable(long stamp) {
        return aheadMillis(stamp) <= maxSkewMillis;
    }

    /** The wall clock this clock follows, in milliseconds: what key expiry is judged by. */
    public long wallMillis() {
        return physicalClockMillis.getAsLong();
    }

    public long maxSkewMillis() {
        return maxSkewMillis;
    }

    /** The greatest stamp returned or observed so far. */
    public long lastStamp() {
        return last.get();
    }

    public static long physicalMillis(long stamp) {
        return stamp >>> LOGICAL_BITS;
    }

    public static int logical(long stamp) {
        return (int) (stamp & LOGICAL_MASK);
    }

    /** The stamp a clock reading of {@code millis} with a zero counter would have. */
    public static long stampOf(long millis) {
        return millis << LOGICAL_BITS;
    }
}
