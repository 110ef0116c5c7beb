package io.dkv.cli.check;

import io.dkv.cli.check.Verdict.Finding;
import io.dkv.cli.check.Verdict.Problem;
import io.dkv.core.version.Version;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judges a recorded {@link History}: pure, no I/O, so hand-made histories test it.
 *
 * <p>Everything is judged by versions, which order the writes to one key totally (stamp,
 * then node number; absent is lowest):
 * <ul>
 *   <li><b>stale</b>: an ok read of k older than some write to k acknowledged before the read
 *       began. It counts as {@link Problem#STALE} only where the store promises better:
 *       R + W > RF and at most RF - max(R, W) of k's replicas faulty at any time from that
 *       write's start to the read's end; otherwise it is {@link Problem#STALE_OUTSIDE_GUARANTEE}.</li>
 *   <li><b>lost</b>: an acknowledged write newer than what some node's final read of k returns.</li>
 *   <li><b>corrupt</b>: a read of a value never written to k (or written to another key, or
 *       with a version other than the one its write was acknowledged with, or a delete
 *       nobody issued).</li>
 *   <li><b>divergent</b>: a key whose replicas hold different versions after the settle wait.</li>
 * </ul>
 *
 * <p>The fault window of a stale read starts at the write's start, not its acknowledgement:
 * a replica that acknowledged the write and was killed (restarting empty) before the
 * client saw the acknowledgement has lost it just the same. A read concurrent with a write
 * (acknowledged after the read began) may return either version and is never stale, as in
 * linearizability checkers such as Knossos.
 */
public final class HistoryChecker {

    private static final Comparator<Version> ABSENT_FIRST = Comparator.nullsFirst(Comparator.naturalOrder());

    private final History history;
    private final Map<Problem, List<Finding>> findings = new EnumMap<>(Problem.class);
    private final Map<String, Op> writesByValue = new HashMap<>();
    private final Map<String, List<Op>> ackedByKey = new HashMap<>();
    private final Map<String, Version[]> newestAckedByKey = new HashMap<>();

    private HistoryChecker(History history) {
        this.history = history;
        for (Problem problem : Problem.values()) {
            findings.put(problem, new ArrayList<>());
        }
    }

    public static Verdict check(History history) {
        return new HistoryChecker(history).run();
    }

    private Verdict run() {
        long ok = 0;
        long failed = 0;
        long indeterminate = 0;
        for (Op op : history.ops()) {
            switch (op.outcome()) {
                case OK -> ok++;
                case FAILED -> failed++;
                case INDETERMINATE -> indeterminate++;
            }
            if (op.kind() == Op.Kind.WRITE) {
                writesByValue.putIfAbsent(op.value(), op);
                if (op.ok() && op.version() != null) {
                    ackedByKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
                }
            }
        }
        ackedByKey.forEach((key, writes) -> {
            writes.sort(Comparator.comparingLong(Op::end));
            Version[] newest = new Version[writes.size()];
            Version max = null;
            for (int i = 0; i < writes.size(); i++) {
                max = newer(max, writes.get(i).version());
                newest[i] = max;
            }
            newestAckedByKey.put(key, newest);
        });
        for (Op op : history.ops()) {
            if (op.kind() == Op.Kind.READ && op.ok()) {
                checkCorrupt(op, "read");
                checkStale(op);
            }
        }
        for (History.FinalRead read : history.finalReads()) {
            if (read.read().ok()) {
                checkCorrupt(read.read(), "final read through " + read.node());
            }
        }
        checkLost();
        checkDivergent();
        return new Verdict(history.ops().size(), ok, failed, indeterminate, findings);
    }

    private void checkCorrupt(Op read, String what) {
        String key = read.key();
        String problem = null;
        if (read.value() == null) {
            if (read.version() != null) {
                problem = "a delete nobody issued, at " + read.version();
            }
        } else {
            Op write = writesByValue.get(read.value());
            if (write == null) {
                problem = "'" + read.value() + "', a value never written";
            } else if (!write.key().equals(key)) {
                problem = "'" + read.value() + "', a value written to key " + write.key();
            } else if (read.version() == null) {
                problem = "'" + read.value() + "' without a version";
            } else if (write.ok() && write.version() != null && !write.version().equals(read.version())) {
                problem = "'" + read.value() + "' at " + read.version() + ", but it was written at " + write.version();
            }
        }
        if (problem != null) {
            add(Problem.CORRUPT, key, key + ": " + what + " " + span(read) + " returned " + problem);
        }
    }

    private void checkStale(Op read) {
        List<Op> acked = ackedByKey.get(read.key());
        if (acked == null) {
            return;
        }
        int last = lastAckedBefore(acked, read.start());
        if (last < 0 || ABSENT_FIRST.compare(newestAckedByKey.get(read.key())[last], read.version()) <= 0) {
            return;
        }
        List<String> replicas = history.replicas().getOrDefault(read.key(), List.of());
        int rf = replicas.size();
        int r = history.read().required(rf);
        int w = history.write().required(rf);
        boolean levelsPromise = rf > 0 && r + w > rf;
        int faultsAllowed = rf - Math.max(r, w);
        Op witness = null;
        Map<String, List<String>> witnessFaulty = null;
        boolean inside = false;
        for (int i = last; i >= 0; i--) {
            Op write = acked.get(i);
            if (ABSENT_FIRST.compare(write.version(), read.version()) <= 0) {
                continue;
            }
            Map<String, List<String>> faulty = faultyReplicas(replicas, write.start(), read.end());
            if (witness == null) {
                witness = write;
                witnessFaulty = faulty;
            }
            if (levelsPromise && faulty.size() <= faultsAllowed) {
                witness = write;
                witnessFaulty = faulty;
                inside = true;
                break;
            }
        }
        String description = read.key() + ": read " + span(read) + " returned " + describe(read.version(), read.value())
                + ", but write '" + witness.value() + "' " + span(witness) + " was acknowledged at " + witness.version()
                + "; replicas " + replicas + ", faulty meanwhile: " + (witnessFaulty.isEmpty() ? "none" : witnessFaulty)
                + (inside ? "" : levelsPromise ? " (more than " + faultsAllowed + ")"
                : " (R " + r + " + W " + w + " <= RF " + rf + ")");
        add(inside ? Problem.STALE : Problem.STALE_OUTSIDE_GUARANTEE, read.key(), description);
    }

    private void checkLost() {
        Map<String, History.FinalRead> lowest = new HashMap<>();
        for (History.FinalRead read : history.finalReads()) {
            if (!read.read().ok()) {
                continue;
            }
            lowest.merge(read.read().key(), read,
                    (a, b) -> ABSENT_FIRST.compare(b.read().version(), a.read().version()) < 0 ? b : a);
        }
        for (Op write : history.ops()) {
            if (write.kind() != Op.Kind.WRITE || !write.ok() || write.version() == null) {
                continue;
            }
            History.FinalRead low = lowest.get(write.key());
            if (low != null && ABSENT_FIRST.compare(write.version(), low.read().version()) > 0) {
                add(Problem.LOST, write.key(), write.key() + ": write '" + write.value() + "' " + span(write)
                        + " was acknowledged at " + write.version() + ", but the final read through " + low.node()
                        + " returned " + describe(low.read().version(), low.read().value()));
            }
        }
    }

    private void checkDivergent() {
        new TreeSet<>(history.finalVersions().keySet()).forEach(key -> {
            Map<String, String> byNode = history.finalVersions().get(key);
            if (new HashSet<>(byNode.values()).size() > 1) {
                add(Problem.DIVERGENT, key, key + ": replicas still differ after the settle wait: " + byNode);
            }
        });
    }

    /** The replicas faulty at any time in {@code [from, to]}, each with its faults, e.g. {@code n3=[kill 2.0s-6.1s]}. */
    private Map<String, List<String>> faultyReplicas(List<String> replicas, long from, long to) {
        Map<String, List<String>> faulty = new TreeMap<>();
        for (Fault fault : history.faults()) {
            if (replicas.contains(fault.node()) && fault.overlaps(from, to)) {
                faulty.computeIfAbsent(fault.node(), node -> new ArrayList<>()).add(fault.kind() + " " + seconds(fault.start())
                        + "-" + (fault.end() == Long.MAX_VALUE ? "end" : seconds(fault.end())));
            }
        }
        return faulty;
    }

    /** The index of the last write acknowledged strictly before {@code time}, or -1. */
    private static int lastAckedBefore(List<Op> acked, long time) {
        int low = 0;
        int high = acked.size() - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (acked.get(mid).end() < time) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    private void add(Problem problem, String key, String description) {
        findings.get(problem).add(new Finding(key, description));
    }

    private String span(Op op) {
        return "[" + seconds(op.start()) + "-" + seconds(op.end()) + "]";
    }

    private String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3fs", (nanos - history.origin()) / 1e9);
    }

    private static String describe(Version version, String value) {
        return version == null ? "nothing (absent)" : version + (value == null ? " (deleted)" : " ('" + value + "')");
    }

    private static Version newer(Version a, Version b) {
        return ABSENT_FIRST.compare(a, b) >= 0 ? a : b;
    }
}
