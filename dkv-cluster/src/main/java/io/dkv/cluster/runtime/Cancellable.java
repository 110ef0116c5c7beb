package io.dkv.cluster.runtime;

/** A scheduled task that can be called off. */
@FunctionalInterface
public interface Cancellable {

    /** Stops the task from running (again); harmless when it already ran or was cancelled. */
    void cancel();
}
