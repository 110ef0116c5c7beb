package io.dkv.core.message;

import java.util.Objects;

/**
 * Paxos phase 1a: "promise to ignore ballots below {@code ballot} for {@code epoch}, and
 * tell me what you accepted for it". Answered with a {@link RingPromise}.
 */
public record RingPrepare(long epoch, Ballot ballot) implements RingMessage {

    public RingPrepare {
        Objects.requireNonNull(ballot, "ballot");
    }
}
