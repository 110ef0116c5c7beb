package io.dkv.cluster.runtime;

/**
 * Runs a node's tasks later or periodically, all on the node's own thread (one thread per
 * node, possibly shared with other nodes), so state touched only by scheduled tasks needs
 * no locks.
 */
public interface Scheduler {

    /** Runs {@code task} on the node's thread as soon as possible. */
    void execute(Runnable task);

    /** Runs {@code task} once after {@code delayMillis}. */
    Cancellable schedule(long delayMillis, Runnable task);

    /** Runs {@code task} every {@code periodMillis}, first after {@code initialDelayMillis}. */
    Cancellable scheduleAtFixedRate(long initialDelayMillis, long periodMillis, Runnable task);
}
