package io.dkv.cluster.repair;

import io.dkv.cluster.rebalance.RingState;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * The partitions this node shares with each other replica, and where the next batch of
 * roots for each peer starts: successive {@link #nextBatch} calls for a peer walk its shared
 * partitions round and round, so every one is compared once per pass whatever the batch size.
 *
 * <p>Not thread-safe: used by one anti-entropy round at a time, on the scheduler thread.
 */
final class SharedPartitions {

    /** For each other replica of a partition this node replicates: the partitions they share, ascending. */
    private final Map<NodeId, int[]> shared;
    private final Map<NodeId, Integer> cursors = new LinkedHashMap<>();

    SharedPartitions(NodeId self, Ring ring, int[] partitions) {
        Map<NodeId, List<Integer>> lists = new TreeMap<>(Comparator.comparingInt(NodeId::number));
        for (int partition : partitions) {
            for (NodeId other : ring.replicas(partition)) {
                if (!other.equals(self)) {
                    lists.computeIfAbsent(other, peer -> new ArrayList<>()).add(partition);
                }
            }
        }
        this.shared = sorted(lists);
    }

    private SharedPartitions(Map<NodeId, int[]> shared) {
        this.shared = shared;
    }

    /**
     * The partitions shared in a ring state: while a move is under way a partition's copies
     * are those of its current replicas and of its next ones, and each is compared with
     * every other (a node gaining the partition gets what streaming missed; a node keeping
     * it gets a write that reached only the next replicas).
     */
    static SharedPartitions of(NodeId self, RingState state) {
        Map<NodeId, List<Integer>> lists = new TreeMap<>(Comparator.comparingInt(NodeId::number));
        for (int partition = 0; partition < state.current().partitionCount(); partition++) {
            List<NodeId> copies = state.holders(partition);
            if (!copies.contains(self)) {
                continue;
            }
            for (NodeId other : copies) {
                if (!other.equals(self)) {
                    int p = partition;
                    lists.computeIfAbsent(other, peer -> new ArrayList<>()).add(p);
                }
            }
        }
        return new SharedPartitions(sorted(lists));
    }

    private static Map<NodeId, int[]> sorted(Map<NodeId, List<Integer>> lists) {
        Map<NodeId, int[]> shared = new LinkedHashMap<>();
        lists.forEach((peer, list) -> shared.put(peer, list.stream().mapToInt(Integer::intValue).sorted().toArray()));
        return shared;
    }

    /** The peers this node shares a partition with, by node number. */
    Set<NodeId> peers() {
        return shared.keySet();
    }

    /** How many partitions this node shares with {@code peer}. */
    int count(NodeId peer) {
        return shared.getOrDefault(peer, new int[0]).length;
    }

    /**
     * Up to {@code max} partitions shared with {@code peer} that pass {@code comparable}, from
     * the peer's cursor on; moves the cursor past every partition looked at (those skipped
     * wait for the next pass).
     */
    int[] nextBatch(NodeId peer, int max, IntPredicate comparable) {
        int[] partitions = shared.getOrDefault(peer, new int[0]);
        if (partitions.length == 0) {
            return partitions;
        }
        int start = cursors.getOrDefault(peer, 0);
        int[] batch = new int[Math.min(max, partitions.length)];
        int count = 0;
        int examined = 0;
        while (examined < partitions.length && count < batch.length) {
            int partition = partitions[(start + examined) % partitions.length];
            examined++;
            if (comparable.test(partition)) {
                batch[count++] = partition;
            }
        }
        cursors.put(peer, (start + examined) % partitions.length);
        return Arrays.copyOf(batch, count);
    }
}
