package io.dkv.cli.bench;

import io.dkv.cli.client.ClientTls;
import io.dkv.cli.client.Credentials;
import io.dkv.core.Consistency;

import java.time.Duration;

/**
 * Everything one run needs, validated up front.
 *
 * @param consistency sent as {@code DKV.CONSISTENCY} on each connection before the load
 *                    starts, or {@code null} to send nothing (the server's default applies;
 *                    this is what works against servers other than dkv)
 * @param replyTimeout a connection that waits this long for a reply is closed and its
 *                     requests in flight count as errors
 * @param threads      event loop threads driving the connections
 * @param credentials  sent as {@code AUTH} on each connection first, when present
 * @param tls          whether connections speak TLS, and with which files
 * @param rate         requests per second in all, spread evenly over the connections (open
 *                     loop), or 0 for a closed loop (each connection sends as soon as a
 *                     pipeline slot is free)
 * @param warmup       how long the load runs before its figures count (zero: from the start);
 *                     only with a {@link RunLimit.Timed} limit, which then starts after it
 */
record BenchPlan(String host, int port, int clients, int pipeline, Consistency consistency,
                 Workload workload, RunLimit limit, Duration replyTimeout, int threads, Credentials credentials,
                 ClientTls tls, double rate, Duration warmup) {

    BenchPlan {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("--port (" + port + ") must be between 1 and 65535");
        }
        if (clients < 1) {
            throw new IllegalArgumentException("--clients (" + clients + ") must be at least 1");
        }
        if (pipeline < 1) {
            throw new IllegalArgumentException("--pipeline (" + pipeline + ") must be at least 1");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads (" + threads + ") must be at least 1");
        }
        if (rate != 0 && !(rate > 0 && rate <= 1e9)) {
            throw new IllegalArgumentException("--rate (" + rate + ") must be a number of requests per second"
                    + " above 0 and at most 1000000000");
        }
        if (warmup.isNegative() || (!warmup.isZero() && !(limit instanceof RunLimit.Timed))) {
            throw new IllegalArgumentException("--warmup must not be negative, and works with --duration only");
        }
        if (replyTimeout.isNegative() || replyTimeout.isZero()) {
            throw new IllegalArgumentException("--timeout-ms (" + replyTimeout.toMillis() + ") must be positive");
        }
    }

    boolean openLoop() {
        return rate > 0;
    }

    /** How a connection paces its requests: in open loop each has 1/clients of the rate. */
    Pacing pacing() {
        return openLoop() ? Pacing.every(Math.max(1, Math.round(1e9 * clients / rate))) : Pacing.closedLoop();
    }

    /**
     * When connection {@code id}'s first request is due, for a run starting at {@code startNanos}:
     * the connections take turns, so together they send evenly spaced requests, not bursts of {@code clients}.
     */
    long firstDueNanos(int id, long startNanos) {
        return openLoop() ? startNanos + Math.round(id * 1e9 / rate) : startNanos;
    }

    String target() {
        return host + ":" + port;
    }
}
