package io.dkv.cli.bench;

import java.time.Duration;

/** When a run stops sending: after a number of requests in all, or once a duration has passed. */
sealed interface RunLimit {

    /** Exactly {@code count} requests over all connections, errors included. */
    record Requests(long count) implements RunLimit {
        public Requests {
            if (count < 1) {
                throw new IllegalArgumentException("--requests (" + count + ") must be at least 1");
            }
        }
    }

    /** New requests until {@code length} has passed; the ones in flight then are still awaited. */
    record Timed(Duration length) implements RunLimit {
        public Timed {
            if (length.isNegative() || length.isZero()) {
                throw new IllegalArgumentException("--duration (" + length.toMillis() / 1000.0 + " s) must be positive");
            }
        }
    }
}
