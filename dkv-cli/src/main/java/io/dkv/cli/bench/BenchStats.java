package io.dkv.cli.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * What connections report during a run: the latency of each successful request, in
 * microseconds, and a count of failed ones, per {@link Operation}.
 *
 * <p>Thread-safety: latencies go to {@link Recorders} that belong to one event loop each,
 * so the hot path writes only to its own thread's HdrHistogram {@link SingleWriterRecorder}s
 * and never contends with the other loops; one reporting thread takes their intervals.
 * Errors are rare and go to shared {@link LongAdder}s.
 */
final class BenchStats {

    private static final int SIGNIFICANT_DIGITS = 3;

    /** The latency recorders one event loop writes to. Single writer: that loop's thread. */
    static final class Recorders {
        private final SingleWriterRecorder[] latency = new SingleWriterRecorder[Operation.values().length];
        private final Histogram[] recycled = new Histogram[Operation.values().length];

        private Recorders() {
            for (Operation operation : Operation.values()) {
                latency[operation.ordinal()] = new SingleWriterRecorder(SIGNIFICANT_DIGITS);
            }
        }

        /** A reply arrived {@code nanos} after its request was written. */
        void recordLatency(Operation operation, long nanos) {
            latency[operation.ordinal()].recordValue(Math.max(1, nanos / 1_000));
        }
    }

    private final Map<Object, Recorders> recorders = new ConcurrentHashMap<>();
    private final LongAdder[] errors = new LongAdder[Operation.values().length];
    private final LongAdder droppedConnections = new LongAdder();
    private final AtomicReference<String> firstError = new AtomicReference<>();

    BenchStats() {
        for (Operation operation : Operation.values()) {
            errors[operation.ordinal()] = new LongAdder();
        }
    }

    /** The recorders of one event loop (or any other single writer), created on first use. */
    Recorders recordersFor(Object writer) {
        return recorders.computeIfAbsent(writer, any -> new Recorders());
    }

    /** A request failed: an error reply, or lost with its connection. */
    void recordError(Operation operation, String message) {
        errors[operation.ordinal()].increment();
        firstError.compareAndSet(null, message);
    }

    void recordDroppedConnection() {
        droppedConnections.increment();
    }

    /** Adds the latencies (microseconds) recorded since the last call into {@code target}. One caller thread only. */
    void takeInterval(Operation operation, Histogram target) {
        int i = operation.ordinal();
        for (Recorders writer : recorders.values()) {
            writer.recycled[i] = writer.latency[i].getIntervalHistogram(writer.recycled[i]);
            target.add(writer.recycled[i]);
        }
    }

    long errors(Operation operation) {
        return errors[operation.ordinal()].sum();
    }

    long errors() {
        long sum = 0;
        for (LongAdder adder : errors) {
            sum += adder.sum();
        }
        return sum;
    }

    long droppedConnections() {
        return droppedConnections.sum();
    }

    /** The text of the first error, or null when there was none. */
    String firstError() {
        return firstError.get();
    }

    /** An empty histogram of the kind this class records into. */
    static Histogram newHistogram() {
        return new Histogram(SIGNIFICANT_DIGITS);
    }
}
