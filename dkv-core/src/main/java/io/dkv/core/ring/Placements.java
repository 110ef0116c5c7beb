package io.dkv.core.ring;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The assignment algorithm behind {@link Ring}: builds and changes a placement, the flat
 * array whose slot {@code partition * replicas + i} holds the index (in the ring's sorted
 * node list) of the partition's {@code i}-th replica.
 *
 * <p>Every method returns a new array and leaves its argument untouched. Not thread-safe
 * state: there is none, only pure functions.
 */
final class Placements {

    /*
     * Balance is counted in placements: (partition, node) pairs. With P partitions and RF
     * replicas there are P*RF of them, and a node's share of the keys is its placements over
     * P*RF (the keys themselves spread evenly over partitions by the hash). Every operation
     * below keeps node loads within one of each other (within two when N is close to RF, see
     * rebalanceInherited), which is what makes max/mean <= ceil(P*RF/N) / (P*RF/N) after any
     * sequence of changes, while moving the minimum:
     *
     * - initial: the placements are dealt in rounds, each a fresh random permutation of the
     *   nodes (every node gets exactly one placement per round, so loads end at floor or
     *   ceil), consecutive draws filling one partition's replicas. A node already drawn for
     *   the partition is passed over and stays in the round for the next partition. Random
     *   rounds make the replica sets of neighbouring partitions unrelated, so a down node's
     *   partitions fall to many different stand-ins (Dynamo's strategy 3; Riak's claim
     *   algorithm aims for the same spread).
     * - join: the newcomer takes one placement at a time from the most-loaded node, a
     *   partition it does not replicate yet, until no node holds two more than it. Only those
     *   placements move: about P*RF/(N+1), the newcomer's fair share (Redis Cluster's
     *   rebalance moves slots the same way, from the fullest masters).
     * - leave: each of the leaver's placements goes to the least-loaded node that does not
     *   already replicate that partition. Only the leaver's placements move.
     *
     * Ties between equally loaded nodes are broken by a random rank drawn for the operation,
     * so that the donors of a join and the heirs of a leave are spread over many nodes rather
     * than the lowest-numbered ones. The randomness is seeded from the inputs: every node
     * computes the same placement.
     */

    private Placements() {
    }

    static int[] initial(int nodes, int replicas, int partitions, SplittableRandom random) {
        int[] placement = new int[partitions * replicas];
        int[] round = new int[nodes];
        int left = 0;
        for (int partition = 0; partition < partitions; partition++) {
            int base = partition * replicas;
            for (int slot = 0; slot < replicas; slot++) {
                if (left == 0) {
                    for (int node = 0; node < nodes; node++) {
                        round[node] = node;
                    }
                    left = nodes;
                }
                int draw = random.nextInt(left);
                while (contains(placement, base, base + slot, round[draw])) {
                    draw = (draw + 1) % left;
                }
                placement[base + slot] = round[draw];
                round[draw] = round[--left];
            }
        }
        return placement;
    }

    /**
     * Moves placements to {@code newcomer} (an index below {@code nodes} that holds nothing
     * yet) from the most-loaded nodes until no node holds two more than it.
     */
    static int[] join(int[] before, int nodes, int replicas, int newcomer, SplittableRandom random) {
        int[] placement = before.clone();
        int[] loads = loads(placement, nodes);
        int[][] slotsOf = slotsByNode(placement, nodes, loads);
        int[] slotCounts = loads.clone();
        int[] rank = ranks(nodes, random);
        TreeSet<Integer> mostLoadedFirst = new TreeSet<>(
                Comparator.<Integer>comparingInt(node -> -loads[node]).thenComparingInt(node -> rank[node]));
        for (int node = 0; node < nodes; node++) {
            if (node != newcomer) {
                mostLoadedFirst.add(node);
            }
        }
        boolean moved = true;
        while (moved) {
            moved = false;
            for (Integer donor : mostLoadedFirst) {
                if (loads[donor] - loads[newcomer] < 2) {
                    break;
                }
                int taken = takeSlotWithout(slotsOf[donor], slotCounts, donor, placement, replicas, newcomer, random);
                if (taken >= 0) {
                    mostLoadedFirst.remove(donor);
                    placement[taken] = newcomer;
                    loads[donor]--;
                    loads[newcomer]++;
                    mostLoadedFirst.add(donor);
                    moved = true;
                    break;
                }
            }
        }
        return placement;
    }

    /**
     * Gives each placement of {@code leaver} to the least-loaded other node not already a
     * replica of that partition. The result still uses the same node indexes; the leaver
     * holds nothing in it.
     */
    static int[] leave(int[] before, int nodes, int replicas, int leaver, SplittableRandom random) {
        int[] placement = before.clone();
        int[] loads = loads(placement, nodes);
        int[] rank = ranks(nodes, random);
        TreeSet<Integer> leastLoadedFirst = new TreeSet<>(
                Comparator.<Integer>comparingInt(node -> loads[node]).thenComparingInt(node -> rank[node]));
        for (int node = 0; node < nodes; node++) {
            if (node != leaver) {
                leastLoadedFirst.add(node);
            }
        }
        int[] inherited = new int[loads[leaver]];
        int count = 0;
        for (int slot = 0; slot < placement.length; slot++) {
            if (placement[slot] != leaver) {
                continue;
            }
            inherited[count++] = slot;
            int base = slot - slot % replicas;
            for (Integer heir : leastLoadedFirst) {
                if (!contains(placement, base, base + replicas, heir)) {
                    leastLoadedFirst.remove(heir);
                    placement[slot] = heir;
                    loads[heir]++;
                    leastLoadedFirst.add(heir);
                    break;
                }
            }
        }
        rebalanceInherited(placement, replicas, inherited, loads, leastLoadedFirst);
        return placement;
    }

    /*
     * With few nodes the greedy pass can be forced: when the least-loaded nodes already
     * replicate a partition, its placement goes to a fuller node. Passing an inherited
     * placement on from an heir to a node holding at least two fewer still moves only the
     * leaver's placements, and undoes most of that drift.
     */
    private static void rebalanceInherited(int[] placement, int replicas, int[] inherited, int[] loads,
                                           TreeSet<Integer> leastLoadedFirst) {
        boolean improved = true;
        while (improved) {
            improved = false;
            for (int slot : inherited) {
                int heir = placement[slot];
                int base = slot - slot % replicas;
                for (Integer other : leastLoadedFirst) {
                    if (loads[other] + 2 > loads[heir]) {
                        break;
                    }
                    if (!contains(placement, base, base + replicas, other)) {
                        leastLoadedFirst.remove(other);
                        leastLoadedFirst.remove(heir);
                        placement[slot] = other;
                        loads[other]++;
                        loads[heir]--;
                        leastLoadedFirst.add(other);
                        leastLoadedFirst.add(heir);
                        improved = true;
                        break;
                    }
                }
            }
        }
    }

    /** Maps every node index through {@code newIndex}. */
    static int[] renumbered(int[] placement, int[] newIndex) {
        int[] result = new int[placement.length];
        for (int slot = 0; slot < placement.length; slot++) {
            result[slot] = newIndex[placement[slot]];
        }
        return result;
    }

    static int[] loads(int[] placement, int nodes) {
        int[] loads = new int[nodes];
        for (int node : placement) {
            loads[node]++;
        }
        return loads;
    }

    static boolean contains(int[] placement, int from, int to, int node) {
        for (int slot = from; slot < to; slot++) {
            if (placement[slot] == node) {
                return true;
            }
        }
        return false;
    }

    /** Removes and returns a random slot of {@code donor} whose partition lacks {@code node}, or -1. */
    private static int takeSlotWithout(int[] slots, int[] slotCounts, int donor, int[] placement, int replicas,
                                       int node, SplittableRandom random) {
        int count = slotCounts[donor];
        if (count == 0) {
            return -1;
        }
        int start = random.nextInt(count);
        for (int i = 0; i < count; i++) {
            int at = (start + i) % count;
            int slot = slots[at];
            int base = slot - slot % replicas;
            if (!contains(placement, base, base + replicas, node)) {
                slots[at] = slots[count - 1];
                slotCounts[donor] = count - 1;
                return slot;
            }
        }
        return -1;
    }

    private static int[][] slotsByNode(int[] placement, int nodes, int[] loads) {
        int[][] slots = new int[nodes][];
        for (int node = 0; node < nodes; node++) {
            slots[node] = new int[loads[node]];
        }
        int[] filled = new int[nodes];
        for (int slot = 0; slot < placement.length; slot++) {
            int node = placement[slot];
            slots[node][filled[node]++] = slot;
        }
        return slots;
    }

    private static int[] ranks(int nodes, SplittableRandom random) {
        int[] rank = new int[nodes];
        Arrays.setAll(rank, i -> i);
        for (int i = nodes - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = rank[i];
            rank[i] = rank[j];
            rank[j] = swap;
        }
        return rank;
    }
}
