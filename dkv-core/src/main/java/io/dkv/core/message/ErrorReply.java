package io.dkv.core.message;

import java.util.Objects;

/**
 * The receiver could not carry out a request; the message says why.
 *
 * @param message     what went wrong
 * @param storageFull whether it was because the receiver's storage (or hint store) is full,
 *                    which the client is told as such rather than as missing replicas
 */
public record ErrorReply(String message, boolean storageFull) implements Message {

    public ErrorReply {
        Objects.requireNonNull(message, "message");
    }

    public ErrorReply(String message) {
        this(message, false);
    }
}
