package io.dkv.testkit.sim;

import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.version.Version;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Checks every read made during a simulation against the quorum guarantee: with R + W > RF
 * and at most RF - max(R, W) of the key's replicas faulty, a read returns a version at least
 * as high as every write acknowledged before the read began.
 *
 * <p>A replica counts as faulty while it is crashed or recovering (the states that can hide
 * data). Partitions and message loss are not counted: they make requests fail, never answer
 * wrongly, so a read that meets them must still be right or fail. Sloppy writes (stand-ins
 * counted because too few replicas were up) are outside the guarantee and are not checked
 * against. Fault states are sampled by {@link #sampleFaults}, which the driver calls between
 * steps; a replica faulty at either end of a step counts as faulty for the whole step.
 *
 * <p>Not thread-safe: one simulation thread drives it.
 */
public final class ReadCheck {

    private record Write(Version version, Consistency level, long ackedAtMillis, boolean sloppy) {
    }

    private record Read(String key, Consistency level, long startMillis, long endMillis, Version version) {
    }

    /** When one node was faulty: from {@code fromMillis} to {@code toMillis} (Long.MAX_VALUE while it still is). */
    private record Fault(long fromMillis, long toMillis) {
    }

    private final SimCluster cluster;
    private final Map<String, List<Write>> writes = new HashMap<>();
    private final List<Read> reads = new ArrayList<>();
    private final Map<NodeId, List<Fault>> faults = new HashMap<>();
    private final Map<NodeId, Long> faultySince = new HashMap<>();
    private long lastSampleMillis;
    private int checked;

    public ReadCheck(SimCluster cluster) {
        this.cluster = cluster;
    }

    /** Records which nodes are faulty now (crashed or recovering). */
    public void sampleFaults() {
        long now = cluster.simulation().now();
        for (NodeId node : cluster.nodeIds()) {
            boolean faulty = !cluster.isUp(node) || cluster.node(node).isRecovering();
            Long since = faultySince.get(node);
            if (faulty && since == null) {
                faultySince.put(node, lastSampleMillis);
            } else if (!faulty && since != null) {
                faults.computeIfAbsent(node, n -> new ArrayList<>()).add(new Fault(since, now));
                faultySince.remove(node);
            }
        }
        lastSampleMillis = now;
    }

    /** Records a write the cluster acknowledged, as it completes. */
    public void acknowledged(String key, WriteResult result, Consistency level) {
        writes.computeIfAbsent(key, k -> new ArrayList<>())
                .add(new Write(result.version(), level, cluster.simulation().now(), result.sloppy()));
    }

    /** Reads {@code key} through {@code client}, recording the answer when it comes. */
    public CompletableFuture<Entry> read(SimClient client, String key, Consistency level) {
        long start = cluster.simulation().now();
        return client.coordinatorNode().read(key.getBytes(StandardCharsets.UTF_8), level).whenComplete((entry, error) -> {
            if (error == null) {
                reads.add(new Read(key, level, start, cluster.simulation().now(), entry == null ? null : entry.version()));
            }
        });
    }

    public int readCount() {
        return reads.size();
    }

    /** How many (read, earlier write) pairs the guarantee covered in the last {@link #violations} call. */
    public int checkedReads() {
        return checked;
    }

    /** Every read that returned a version older than a write the guarantee says it must see. */
    public List<String> violations() {
        int replicas = cluster.config().replicas();
        List<String> found = new ArrayList<>();
        checked = 0;
        for (Read read : reads) {
            int r = read.level().required(replicas);
            boolean covered = false;
            for (Write write : writes.getOrDefault(read.key(), List.of())) {
                int w = write.level().required(replicas);
                if (r + w <= replicas || write.sloppy() || write.ackedAtMillis() >= read.startMillis()) {
                    continue;
                }
                int faulty = faultyReplicas(read.key(), write.ackedAtMillis(), read.endMillis());
                if (faulty > replicas - Math.max(r, w)) {
                    continue;
                }
                covered = true;
                if (read.version() == null || read.version().compareTo(write.version()) < 0) {
                    found.add("stale read of " + read.key() + " at " + read.level() + " [" + read.startMillis() + ".."
                            + read.endMillis() + " ms] returned " + read.version() + ", but " + write.version()
                            + " was acknowledged at " + write.level() + " at " + write.ackedAtMillis() + " ms ("
                            + faulty + " replica(s) faulty meanwhile)");
                }
            }
            if (covered) {
                checked++;
            }
        }
        return found;
    }

    /**
     * How many of the key's replicas were faulty at some time within [from, to]. When the
     * ring changed, every node that was ever one of the key's replicas (now or after a
     * move) counts: more faults than the key saw, so fewer reads are held to the guarantee,
     * never a read held to it wrongly.
     */
    private int faultyReplicas(String key, long fromMillis, long toMillis) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        Set<NodeId> everReplicas = new HashSet<>();
        for (RingState state : cluster.ringStates()) {
            everReplicas.addAll(state.current().replicasOf(keyBytes));
            if (state.next() != null) {
                everReplicas.addAll(state.next().replicasOf(keyBytes));
            }
        }
        int count = 0;
        for (NodeId replica : everReplicas) {
            if (faultyWithin(replica, fromMillis, toMillis)) {
                count++;
            }
        }
        return count;
    }

    private boolean faultyWithin(NodeId node, long fromMillis, long toMillis) {
        Long since = faultySince.get(node);
        if (since != null && since <= toMillis) {
            return true;
        }
        for (Fault fault : faults.getOrDefault(node, List.of())) {
            if (fault.fromMillis() <= toMillis && fault.toMillis() >= fromMillis) {
                return true;
            }
        }
        return false;
    }
}
