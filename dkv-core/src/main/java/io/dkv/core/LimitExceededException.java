package io.dkv.core;

/** A caller crossed a configured limit (key size, value size, stored bytes). */
public class LimitExceededException extends DkvException {

    public LimitExceededException(String message) {
        super(message);
    }
}
