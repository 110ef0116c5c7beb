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
 */
record BenchPlan(String host, int port, int clients, int pipeline, Consistency consistency,
                 Workload workload, RunLimit limit, Duration replyTimeout, int threads, Credentials credentials,
                 ClientTls tls) {

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
        if (replyTimeout.isNegative() || replyTimeout.isZero()) {
            throw new IllegalArgumentException("--timeout-ms (" + replyTimeout.toMillis() + ") must be positive");
        }
    }

    String target() {
        return host + ":" + port;
    }
}
