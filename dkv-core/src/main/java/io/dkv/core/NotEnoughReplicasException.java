package io.dkv.core;

/** A request could not gather the answers its consistency level needs. */
public final class NotEnoughReplicasException extends DkvException {

    private final int answered;
    private final int required;
    private final boolean storageFull;

    public NotEnoughReplicasException(String operation, int answered, int required, String details) {
        this(operation, answered, required, details, false);
    }

    /** @param storageFull whether replicas refused because their storage is full */
    public NotEnoughReplicasException(String operation, int answered, int required, String details, boolean storageFull) {
        super(operation + " failed: " + answered + " of " + required + " required replicas answered"
                + (details.isEmpty() ? "" : " (" + details + ")"));
        this.answered = answered;
        this.required = required;
        this.storageFull = storageFull;
    }

    /** Whether replicas refused the request because their storage is full (the client sees OOM). */
    public boolean storageFull() {
        return storageFull;
    }

    public int answered() {
        return answered;
    }

    public int required() {
        return required;
    }
}
