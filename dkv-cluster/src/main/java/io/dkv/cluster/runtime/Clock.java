package io.dkv.cluster.runtime;

/**
 * A node's view of time. Node logic reads time only through this, so the simulator can
 * run it in virtual time and skew one node's clock against the others.
 */
public interface Clock {

    /** Wall-clock milliseconds since the epoch; may jump backwards or forwards. */
    long wallMillis();

    /** Milliseconds from an arbitrary origin that never go backwards; for measuring intervals. */
    long monotonicMillis();

    /** Nanoseconds on the same clock as {@link #monotonicMillis()}; for measuring latencies. */
    long monotonicNanos();
}
