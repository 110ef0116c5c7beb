package io.dkv.core.message;

/**
 * Take the truncation mark {@code stamp} (FLUSHALL), or, with a lower or zero stamp, just say
 * which mark you hold: a node that starts asks its peers so (see {@code TruncationGate}).
 * Answered with a {@link TruncateReply}.
 *
 * @param stamp the mark to take (a hybrid-logical-clock stamp; 0 asks without marking)
 * @param sync  whether the receiver drops the entries the mark hides before it answers
 *              (FLUSHALL SYNC) or answers once the mark is stored and drops them after
 *              (ASYNC: the mark already hides them)
 */
public record TruncateRequest(long stamp, boolean sync) implements Message {

    public TruncateRequest {
        if (stamp < 0) {
            throw new IllegalArgumentException("negative truncation stamp " + stamp);
        }
    }
}
