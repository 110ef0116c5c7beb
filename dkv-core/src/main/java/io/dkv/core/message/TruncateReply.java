package io.dkv.core.message;

/**
 * A node holds the truncation mark {@code stamp} (the highest it knows, at least the one
 * asked for) durably, and its clock is past it.
 *
 * @param stamp the receiver's mark after the request
 */
public record TruncateReply(long stamp) implements Message {

    public TruncateReply {
        if (stamp < 0) {
            throw new IllegalArgumentException("negative truncation stamp " + stamp);
        }
    }
}
