package io.dkv.cli.check;

import io.dkv.cli.cluster.NodeFaults;
import io.dkv.core.NodeId;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Injects one fault at a time into a cluster of node processes: picks a node and a kind
 * ({@code kill}: SIGKILL, then start again; {@code pause}: SIGSTOP, then SIGCONT;
 * {@code restart}: SIGTERM, then start again, which over a run is a rolling restart), holds the
 * fault for a while, heals it, and waits until the node is ready before the next healthy
 * spell. Each fault is recorded from its first signal until the node is ready again, so a
 * second node is never faulted while one still is. Runs on its own thread; {@link #stop}
 * heals the fault at hand and ends it.
 */
final class Nemesis implements Runnable {

    /** The kinds of fault. */
    enum Kind {
        KILL, PAUSE, RESTART;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How long each phase lasts. */
    record Timing(Duration healthy, Duration faulty, Duration readyLimit) {
    }

    private final NodeFaults faults;
    private final List<Endpoint> nodes;
    private final List<Kind> kinds;
    private final Timing timing;
    private final SplittableRandom random;
    private final PrintWriter log;
    private final long origin;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<Fault> recorded = new ArrayList<>();
    private final Predicate<Endpoint> ready;
    private volatile String problem;

    Nemesis(NodeFaults faults, List<Endpoint> nodes, List<Kind> kinds, Timing timing, long seed, PrintWriter log,
            long origin, Predicate<Endpoint> ready) {
        this.faults = faults;
        this.nodes = nodes;
        this.kinds = kinds;
        this.timing = timing;
        this.random = new SplittableRandom(seed);
        this.log = log;
        this.origin = origin;
        this.ready = ready;
    }

    @Override
    public void run() {
        while (!await(timing.healthy())) {
            Endpoint target = nodes.get(random.nextInt(nodes.size()));
            Kind kind = kinds.get(random.nextInt(kinds.size()));
            long start = System.nanoTime();
            long end;
            try {
                end = inject(target, kind);
            } catch (IOException | RuntimeException e) {
                problem = kind.word() + " of " + target.name() + " failed: " + e.getMessage();
                log.println("nemesis: " + problem + "; no more faults");
                log.flush();
                record(new Fault(target.name(), kind.word(), start, Long.MAX_VALUE));
                return;
            }
            record(new Fault(target.name(), kind.word(), start, end));
            if (end == Long.MAX_VALUE) {
                problem = target.name() + " was not ready within " + timing.readyLimit().toSeconds() + " s after the "
                        + kind.word();
                log.println("nemesis: " + problem + "; no more faults");
                log.flush();
                return;
            }
            log.printf(Locale.ROOT, "nemesis: %s %s from %.1fs, ready again at %.1fs%n", kind.word(), target.name(),
                    seconds(start), seconds(end));
            log.flush();
        }
    }

    /** Ends the faults: the one at hand is healed first; returns once the thread may be joined. */
    void stop() {
        stopped.countDown();
    }

    /** The faults injected so far. */
    synchronized List<Fault> faults() {
        return List.copyOf(recorded);
    }

    /** Why faulting stopped early, or {@code null}. */
    String problem() {
        return problem;
    }

    private synchronized void record(Fault fault) {
        recorded.add(fault);
    }

    /** Injects and heals one fault; returns when the node was ready again, or Long.MAX_VALUE if it never was. */
    private long inject(Endpoint target, Kind kind) throws IOException {
        NodeId node = NodeId.parse(target.node());
        switch (kind) {
            case KILL -> {
                faults.kill(node);
                await(timing.faulty());
                faults.start(node, timing.readyLimit());
            }
            case RESTART -> {
                faults.stop(node, timing.readyLimit());
                await(timing.faulty());
                faults.start(node, timing.readyLimit());
            }
            case PAUSE -> {
                faults.pause(node);
                try {
                    await(timing.faulty());
                } finally {
                    faults.resume(node);
                }
            }
        }
        long deadline = System.nanoTime() + timing.readyLimit().toNanos();
        while (System.nanoTime() < deadline) {
            if (ready.test(target)) {
                return System.nanoTime();
            }
            sleep(100);
        }
        return Long.MAX_VALUE;
    }

    /** Waits up to {@code limit}; true if stopped meanwhile (or before). */
    private boolean await(Duration limit) {
        try {
            return stopped.await(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private double seconds(long nanos) {
        return (nanos - origin) / 1e9;
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
