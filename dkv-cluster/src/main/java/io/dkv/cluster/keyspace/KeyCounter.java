package io.dkv.cluster.keyspace;

import io.dkv.cluster.coordinator.Router;
import io.dkv.cluster.rebalance.RingHolder;
import io.dkv.cluster.replica.ReplicaEndpoints;
import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.KeyCountReply;
import io.dkv.core.message.KeyCountRequest;
import io.dkv.core.message.Message;
import io.dkv.core.ring.Ring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * DBSIZE: the cluster's key count from the storage engines' per-partition counters, not from
 * a scan.
 *
 * <p>How: every node that is up is asked once for its counts of the partitions the ring
 * gives it ({@link KeyCountRequest}: one message per node, whatever the data), and the
 * count is the sum, over partitions, of the highest count any of the partition's replicas
 * reported. The highest, because a replica that missed writes (down a while, not repaired
 * yet, a new replica still being streamed to) holds fewer keys, never more, unless it
 * missed deletes.
 *
 * <p>So the count is an estimate where Redis's DBSIZE is exact: a replica counts the values
 * it stores, including expired ones it has not collected yet, and keys whose deletes it
 * missed; writes running meanwhile may or may not be counted. With every replica in sync and
 * no expired key waiting, it is exact. For an exact count, SCAN the cluster.
 *
 * <p>Fails, rather than undercount, when a partition has no replica up or none of them
 * answered. Thread-safe: each count's state lives in its own {@link Count}.
 */
public final class KeyCounter {

    private final RingHolder rings;
    private final Router router;
    private final ReplicaEndpoints endpoints;
    private final Scheduler scanScheduler;

    public KeyCounter(RingHolder rings, Router router, ReplicaEndpoints endpoints, Scheduler scanScheduler) {
        this.rings = rings;
        this.router = router;
        this.endpoints = endpoints;
        this.scanScheduler = scanScheduler;
    }

    /** The cluster's key count, estimated as the class comment says. */
    public CompletableFuture<Long> count() {
        return perPartition().thenApply(counts -> {
            long total = 0;
            for (long count : counts) {
                total += count;
            }
            return total;
        });
    }

    /** Each partition's key count (the highest its replicas reported), indexed by partition. */
    public CompletableFuture<long[]> perPartition() {
        Ring ring = rings.state().current();
        Map<NodeId, List<Integer>> byNode = new LinkedHashMap<>();
        for (int partition = 0; partition < ring.partitionCount(); partition++) {
            List<NodeId> up = router.upReplicas(ring, partition);
            if (up.isEmpty()) {
                return CompletableFuture.failedFuture(new NotEnoughReplicasException("key count", 0, 1, "partition "
                        + partition + ": no replica is up; down: " + router.downReplicas(ring, partition)));
            }
            for (NodeId node : up) {
                byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(partition);
            }
        }
        Count count = new Count(ring.partitionCount(), byNode.size());
        byNode.forEach((node, partitions) -> {
            int[] asked = partitions.stream().mapToInt(Integer::intValue).toArray();
            scanScheduler.execute(() -> {
                CompletableFuture<Message> answer;
                try {
                    answer = endpoints.request(node, new KeyCountRequest(asked));
                } catch (RuntimeException e) {
                    answer = CompletableFuture.failedFuture(e);
                }
                answer.whenComplete((reply, error) -> count.onAnswer(node, asked, reply, error));
            });
        });
        return count.result;
    }

    /** One count under way: the best count seen per partition, and who failed to answer. */
    private static final class Count {
        final CompletableFuture<long[]> result = new CompletableFuture<>();
        private final long[] best;
        private final boolean[] answered;
        private final List<String> failures = new ArrayList<>();
        private int waiting;

        Count(int partitions, int nodes) {
            this.best = new long[partitions];
            this.answered = new boolean[partitions];
            this.waiting = nodes;
        }

        synchronized void onAnswer(NodeId node, int[] asked, Message reply, Throwable error) {
            if (error == null && reply instanceof KeyCountReply counts && counts.counts().length == asked.length) {
                for (int i = 0; i < asked.length; i++) {
                    best[asked[i]] = Math.max(best[asked[i]], counts.counts()[i]);
                    answered[asked[i]] = true;
                }
            } else {
                failures.add(node + ": " + reason(reply, error));
            }
            if (--waiting > 0) {
                return;
            }
            for (int partition = 0; partition < best.length; partition++) {
                if (!answered[partition]) {
                    result.completeExceptionally(new NotEnoughReplicasException("key count", 0, 1, "partition "
                            + partition + ": no replica answered; " + String.join("; ", failures)));
                    return;
                }
            }
            result.complete(best.clone());
        }
    }

    private static String reason(Message reply, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            return cause instanceof PeerUnavailableException unavailable ? unavailable.reason()
                    : String.valueOf(cause.getMessage());
        }
        if (reply instanceof ErrorReply refusal) {
            return refusal.message();
        }
        return "unexpected answer " + (reply == null ? "null" : reply.getClass().getSimpleName());
    }
}
