package io.dkv.core.message;

import java.util.Objects;

/** Paxos phase 2a: "accept {@code value} for {@code epoch} under {@code ballot}". Answered with {@link RingAccepted}. */
public record RingAccept(long epoch, Ballot ballot, byte[] value) implements RingMessage {

    public RingAccept {
        Objects.requireNonNull(ballot, "ballot");
        Objects.requireNonNull(value, "value");
    }
}
