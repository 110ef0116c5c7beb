package io.dkv.core;

/** A request could not gather the answers its consistency level needs. */
public final class NotEnoughReplicasException extends DkvException {

    private final int answered;
    private final int required;

    public NotEnoughReplicasException(String operation, int answered, int required, String details) {
        super(operation + " failed: " + answered + " of " + required + " required replicas answered"
                + (details.isEmpty() ? "" : " (" + details + ")"));
        this.answered = answered;
        this.required = required;
    }

    public int answered() {
        return answered;
    }

    public int required() {
        return required;
    }
}
