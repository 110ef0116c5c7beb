package io.dkv.core.message;

import java.util.Objects;

/**
 * A committed ring: the complete value chosen for {@code epoch}. Sent one-way by a proposer
 * to every member once a majority accepted, and as the answer to a {@link RingFetch}.
 */
public record RingCommit(long epoch, byte[] value) implements RingMessage {

    public RingCommit {
        Objects.requireNonNull(value, "value");
    }
}
