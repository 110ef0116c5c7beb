package io.dkv.cluster.rebalance;

import io.dkv.cluster.membership.LivenessView;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.cluster.streaming.PartitionStream;
import io.dkv.cluster.streaming.StreamProgress;
import io.dkv.core.NodeId;
import io.dkv.core.message.MoveStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node's part in a ring change: when a state that moves partitions to it is installed,
 * it copies each of them from the partition's current replicas, and reports itself ready
 * for that epoch once all of them are here.
 *
 * <p>From how many: {@code RF - QUORUM + 1} of the current replicas, and every one that
 * gives the partition up and is up. A write acknowledged at QUORUM (or ALL) before the
 * change reached W of the current replicas, one of which may be the node leaving; copies
 * from any RF - W + 1 of them are sure to include one that has it. A write acknowledged at
 * ONE may be on a single replica: if that one gives the partition up it drops its copy
 * after the change, so it is always a source while it is up (a replica that keeps the
 * partition keeps such a write, and anti-entropy spreads it). A replica believed down is
 * skipped only while that many copies still succeed, so a wrong suspicion cannot make a
 * copy incomplete. Copying from every live replica, as this did at first, made a join
 * copy each partition three times at RF 3 for no gain in safety. Each copy
 * from a replica begins once that replica routes by the change's epoch, so that from then
 * on it refuses writes routed by the old ring; writes routed by the new one reach this node
 * directly (it is a write target), and the merge rule makes the overlap harmless.
 * docs/ARCHITECTURE.md ("Ring changes") has the whole argument.
 *
 * <p>Threading: all state is confined to the node's scheduler thread, except the published
 * status (volatile) and the running streams (read by {@link #status}).
 */
public final class Rebalancer {

    private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);

    /** Partitions copied at once: enough to hide round trips, few enough to leave clients the node. */
    static final int PARALLEL_PARTITIONS = 4;
    /** Pause before a partition whose copy failed is tried again (its source died or timed out). */
    static final long RETRY_MILLIS = 1_000;

    /** Starts copying a partition from a source for the change of an epoch ({@code ClusterNode.streamPartition}). */
    @FunctionalInterface
    public interface Copier {
        PartitionStream copy(NodeId source, int partition, long epoch);
    }

    private final NodeId self;
    private final LivenessView liveness;
    private final Scheduler scheduler;
    private final Copier copier;
    private final Deque<Integer> queue = new ArrayDeque<>();
    private final Map<Integer, Set<NodeId>> copiedFrom = new HashMap<>();
    private final List<PartitionStream> running = new CopyOnWriteArrayList<>();
    private RingState target;
    private int partitionsTotal;
    private int partitionsDone;
    private int inFlight;
    private long bytesDone;
    private volatile MoveStatus status = new MoveStatus(0, 0, 0, 0, true);

    public Rebalancer(NodeId self, LivenessView liveness, Scheduler scheduler, Copier copier) {
        this.self = self;
        this.liveness = liveness;
        this.scheduler = scheduler;
        this.copier = copier;
    }

    /** The fewest replicas a partition is copied from: RF - QUORUM + 1. */
    static int minimumSources(int replicas) {
        return replicas - (replicas / 2 + 1) + 1;
    }

    /** Called with every ring state the node installs (on any thread). */
    public void onInstall(RingState state) {
        scheduler.execute(() -> begin(state));
    }

    /** Where this node stands in the change of the newest epoch it knows; ready when it gains nothing. */
    public MoveStatus status() {
        MoveStatus published = status;
        long bytesNow = published.bytes();
        for (PartitionStream stream : running) {
            bytesNow += stream.progress().bytes();
        }
        return new MoveStatus(published.epoch(), published.partitionsTotal(), published.partitionsDone(), bytesNow,
                published.ready());
    }

    private void begin(RingState state) {
        if (target != null && state.epoch() <= target.epoch()) {
            return;
        }
        target = state;
        queue.clear();
        copiedFrom.clear();
        partitionsDone = 0;
        bytesDone = 0;
        if (state.moving()) {
            for (int partition = 0; partition < state.current().partitionCount(); partition++) {
                if (state.incoming(partition).contains(self)) {
                    queue.add(partition);
                }
            }
        }
        partitionsTotal = queue.size();
        publish();
        if (partitionsTotal > 0) {
            log.info("{} takes {} partitions at ring epoch {}: copying them from their current replicas", self,
                    partitionsTotal, state.epoch());
        }
        fill(state);
    }

    private void fill(RingState state) {
        while (inFlight < PARALLEL_PARTITIONS && !queue.isEmpty()) {
            int partition = queue.poll();
            inFlight++;
            copy(state, partition);
        }
    }

    /** Copies the partition from its next source still owed, or settles it when none is. */
    private void copy(RingState state, int partition) {
        if (state != target) {
            inFlight--;
            return;
        }
        Set<NodeId> done = copiedFrom.computeIfAbsent(partition, p -> new HashSet<>());
        List<NodeId> replicas = state.current().replicas(partition);
        List<NodeId> stay = state.next().replicas(partition);
        int needed = Math.min(minimumSources(replicas.size()), replicas.size());
        NodeId source = null;
        int owedByDownReplicas = 0;
        for (NodeId replica : sourceOrder(replicas, stay)) {
            if (done.contains(replica) || replica.equals(self)) {
                continue;
            }
            if (!liveness.isUp(replica)) {
                owedByDownReplicas++;
                continue;
            }
            if (!stay.contains(replica) || done.size() < needed) {
                source = replica;
                break;
            }
        }
        if (source == null) {
            if (done.size() >= needed) {
                finished(state, partition, owedByDownReplicas);
            } else {
                // Too few replicas are up to be sure of every acknowledged write: wait for one.
                retryLater(state, partition);
            }
            return;
        }
        NodeId from = source;
        PartitionStream stream = copier.copy(from, partition, state.epoch());
        running.add(stream);
        stream.result().whenComplete((progress, error) -> scheduler.execute(() -> {
            running.remove(stream);
            if (state != target) {
                inFlight--;
                return;
            }
            if (error != null) {
                log.info("{}: copying partition {} from {} failed ({}); trying again", self, partition, from,
                        error.toString());
                retryLater(state, partition);
                return;
            }
            bytesDone += progress.bytes();
            done.add(from);
            copy(state, partition);
        }));
    }

    /**
     * The replicas that give up the partition first (each is copied from whenever it is up,
     * see the class comment), then those that keep it.
     */
    private static List<NodeId> sourceOrder(List<NodeId> replicas, List<NodeId> stay) {
        List<NodeId> ordered = new ArrayList<>(replicas.size());
        for (NodeId replica : replicas) {
            if (!stay.contains(replica)) {
                ordered.add(replica);
            }
        }
        for (NodeId replica : replicas) {
            if (stay.contains(replica)) {
                ordered.add(replica);
            }
        }
        return ordered;
    }

    private void finished(RingState state, int partition, int skippedDown) {
        inFlight--;
        partitionsDone++;
        if (skippedDown > 0) {
            log.info("{}: partition {} copied without {} replica(s) that are down", self, partition, skippedDown);
        }
        publish();
        if (partitionsDone == partitionsTotal) {
            log.info("{} holds all {} partitions it takes at ring epoch {} ({} bytes copied)", self, partitionsTotal,
                    state.epoch(), bytesDone);
        }
        fill(state);
    }

    private void retryLater(RingState state, int partition) {
        inFlight--;
        scheduler.schedule(RETRY_MILLIS, () -> {
            if (state == target) {
                queue.add(partition);
                fill(state);
            }
        });
    }

    private void publish() {
        status = new MoveStatus(target.epoch(), partitionsTotal, partitionsDone, bytesDone,
                partitionsDone == partitionsTotal);
    }
}
