package io.dkv.server.resp;

import io.dkv.core.Consistency;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counts and times client commands by command, consistency and outcome:
 * {@code dkv_requests_total} and the histogram {@code dkv_request_duration_seconds}.
 * Meters are created once per combination and cached, so recording is a map lookup and
 * two increments. Thread-safe.
 */
public final class CommandMeters {

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

    private record Meters(Counter requests, Timer duration) {
    }

    /** Meters of one command, indexed by consistency (NONE last) and outcome; filled lazily. */
    private static final class ForCommand {
        final AtomicReferenceArray<Meters> slots =
                new AtomicReferenceArray<>((Consistency.values().length + 1) * Outcome.values().length);
    }

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, ForCommand> meters = new ConcurrentHashMap<>();

    public CommandMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Metrics that go nowhere, for servers built without a registry (tests). */
    public static CommandMeters none() {
        return new CommandMeters(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    void record(String command, Consistency consistency, Outcome outcome, long nanos) {
        ForCommand forCommand = meters.computeIfAbsent(command, name -> new ForCommand());
        int slot = (consistency == null ? Consistency.values().length : consistency.ordinal()) * Outcome.values().length
                + outcome.ordinal();
        Meters forKey = forCommand.slots.get(slot);
        if (forKey == null) {
            forKey = create(command, consistency == null ? "none" : consistency.name(), outcome);
            forCommand.slots.set(slot, forKey);
        }
        forKey.requests().increment();
        forKey.duration().record(nanos, TimeUnit.NANOSECONDS);
    }

    private Meters create(String name, String consistency, Outcome outcome) {
        String command = name.toLowerCase(Locale.ROOT);
        Counter requests = Counter.builder("dkv.requests")
                .description("Client commands served, by command, consistency and outcome")
                .tag("command", command).tag("consistency", consistency).tag("outcome", outcome.tag)
                .register(registry);
        Timer duration = Timer.builder("dkv.request.duration")
                .description("Time from receiving a client command to its reply being ready")
                .tag("command", command).tag("consistency", consistency).tag("outcome", outcome.tag)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1).dividedBy(20))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        return new Meters(requests, duration);
    }
}
