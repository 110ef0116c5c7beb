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

    private final LongSupplier physicalClockMillis;
    private final AtomicLong last = new AtomicLong();

    /** @param physicalClockMillis the wall clock in milliseconds; it may jump in either direction */
    public HybridLogicalClock(LongSupplier physicalClockMillis) {
        this.physicalClockMillis = physicalClockMillis;
    }

    /** A new stamp, greater than every stamp this clock returned or observed before. */
    public long now() {
        long physical = physicalClockMillis.getAsLong() << LOGICAL_BITS;
        while (true) {
            long previous = last.get();
            long next = Math.max(previous + 1, physical);
            if (last.compareAndSet(previous, next)) {
                return next;
            }
        }
    }

    /** Makes every later {@link #now()} exceed {@code stamp} (a stamp received from a peer). */
    public void observe(long stamp) {
        last.accumulateAndGet(stamp, Math::max);
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
