package io.dkv.cli.check;

import io.dkv.core.Consistency;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a checked run recorded, as {@link HistoryChecker} judges it.
 *
 * @param ops           every client operation
 * @param faults        every fault the nemesis injected, per node
 * @param replicas      each key's preference list (its RF nodes, e.g. {@code n1, n3, n4})
 * @param read          the read level the clients used
 * @param write         the write level the clients used
 * @param finalReads    after the run and the settle wait: every key read through every node
 * @param finalVersions after the settle wait: per key, node by node, what each replica holds, as
 *                      {@code DKV.REPLICAS} words it (a version, {@code missing} or {@code unreachable})
 * @param origin        {@link System#nanoTime()} when the run began, for printing times
 */
public record History(List<Op> ops, List<Fault> faults, Map<String, List<String>> replicas,
                      Consistency read, Consistency write, List<FinalRead> finalReads,
                      Map<String, Map<String, String>> finalVersions, long origin) {

    /** A read of one key through one node after the run. */
    public record FinalRead(String node, Op read) {
    }

    public History {
        ops = List.copyOf(ops);
        faults = List.copyOf(faults);
        replicas = Map.copyOf(replicas);
        Objects.requireNonNull(read, "read");
        Objects.requireNonNull(write, "write");
        finalReads = List.copyOf(finalReads);
        finalVersions = Map.copyOf(finalVersions);
    }
}
