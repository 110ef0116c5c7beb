package io.dkv.cluster.membership.register;

/**
 * How long a proposer waits, and how it backs off.
 *
 * @param requestTimeoutMillis how long one prepare, accept or fetch waits for its answer
 * @param proposeTimeoutMillis how long a proposal may take in all, retries included, before
 *                             it fails with {@link RingProposalFailedException}
 * @param backoffMillis        the base of the randomized backoff between attempts (retry k
 *                             waits base plus a random part of up to base x 2^min(k, 4)), so
 *                             that duelling proposers stop pre-empting each other
 */
public record RegisterTimings(long requestTimeoutMillis, long proposeTimeoutMillis, long backoffMillis) {

    public RegisterTimings {
        if (requestTimeoutMillis <= 0 || proposeTimeoutMillis <= 0 || backoffMillis <= 0) {
            throw new IllegalArgumentException("ring register timings must be positive, got request "
                    + requestTimeoutMillis + " ms, propose " + proposeTimeoutMillis + " ms, backoff " + backoffMillis + " ms");
        }
        if (proposeTimeoutMillis < requestTimeoutMillis) {
            throw new IllegalArgumentException("propose timeout (" + proposeTimeoutMillis
                    + " ms) must not be shorter than the request timeout (" + requestTimeoutMillis + " ms)");
        }
    }

    /** Timings derived from the timeout of one request to a peer. */
    public static RegisterTimings forRequestTimeout(long requestTimeoutMillis) {
        return new RegisterTimings(requestTimeoutMillis, requestTimeoutMillis * 20, Math.max(1, requestTimeoutMillis / 4));
    }
}
