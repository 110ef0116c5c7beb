package io.dkv.core.message;

/**
 * "Send me your newest committed ring; I know of {@code epoch}". Answered with a
 * {@link RingCommit} of the replier's newest committed epoch, whichever it is.
 */
public record RingFetch(long epoch) implements RingMessage {
}
