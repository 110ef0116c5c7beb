package io.dkv.core.message;

import java.util.Objects;

/** The receiver could not carry out a request; the message says why. */
public record ErrorReply(String message) implements Message {

    public ErrorReply {
        Objects.requireNonNull(message, "message");
    }
}
