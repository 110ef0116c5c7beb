package io.dkv.server.resp;

import io.dkv.core.Consistency;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Counts and times client commands by command, consistency and outcome:
 * {@code dkv_requests_total} and the histogram {@code dkv_request_duration_seconds}.
 * Meters are created once per combination and cached, so recording is a map lookup and
 * two increments. Thread-safe.
 */
public final class CommandMetrics {

    /** How a command ended, as the {@code outcome} tag says it. */
    enum Outcome {
        OK, ERROR, UNAVAILABLE, FULL;

        final String tag = name().toLowerCase(Locale.ROOT);

        static Outcome of(RespReply reply) {
            if (!(reply instanceof RespReply.Error error)) {
                return OK;
            }
            return error.text().startsWith("NOREPLICAS") ? UNAVAILABLE : error.text().startsWith("OOM") ? FULL : ERROR;
        }
    }

    private record Key(String command, String consistency, Outcome outcome) {
    }

    private record Meters(Counter requests, Timer duration) {
    }

    private final MeterRegistry registry;
    private final ConcurrentHashMap<Key, Meters> meters = new ConcurrentHashMap<>();

    public CommandMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Metrics that go nowhere, for servers built without a registry (tests). */
    public static CommandMetrics none() {
        return new CommandMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    void record(String command, Consistency consistency, Outcome outcome, long nanos) {
        Key key = new Key(command, consistency == null ? "none" : consistency.name(), outcome);
        Meters forKey = meters.computeIfAbsent(key, this::create);
        forKey.requests().increment();
        forKey.duration().record(nanos, TimeUnit.NANOSECONDS);
    }

    private Meters create(Key key) {
        String command = key.command().toLowerCase(Locale.ROOT);
        Counter requests = Counter.builder("dkv.requests")
                .description("Client commands served, by command, consistency and outcome")
                .tag("command", command).tag("consistency", key.consistency()).tag("outcome", key.outcome().tag)
                .register(registry);
        Timer duration = Timer.builder("dkv.request.duration")
                .description("Time from receiving a client command to its reply being ready")
                .tag("command", command).tag("consistency", key.consistency()).tag("outcome", key.outcome().tag)
                .publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofMillis(1).dividedBy(20))
                .maximumExpectedValue(java.time.Duration.ofSeconds(10))
                .register(registry);
        return new Meters(requests, duration);
    }
}
