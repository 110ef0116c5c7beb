package io.dkv.core.ring;

import java.util.SplittableRandom;

/**
 * Builds the owner of every partition: which node each slot of the ring belongs to.
 *
 * <p>Every node owns exactly {@code partitionsPerNode} partitions, and any {@code window}
 * consecutive partitions (wrapping around) have distinct owners. Together these make the
 * preference list of a partition simply its owner and the owners of the next
 * {@code replicas - 1} partitions, so every node holds exactly the same number of key
 * replicas: balance is exact by construction instead of statistical.
 */
final class OwnerSequence {

    /*
     * The sequence is partitionsPerNode rounds, each a fresh random permutation of the
     * nodes. Within a round owners are distinct, so only the first window-1 slots of a round
     * can clash with the end of the previous round (and, for the last round, its final
     * window-1 slots with the start of round 0 across the wrap). A clash is repaired by
     * swapping the slot with one from the middle of the same round, which has no
     * cross-round constraint. The middle must hold at least `window` nodes for a swap
     * partner to exist, hence nodes >= 3 * window - 2; smaller clusters repeat a single
     * permutation, which is trivially distinct over any window of up to `nodes` slots.
     *
     * Fresh permutations per round mean that the nodes that follow a given node differ from
     * one partition to the next, so when a node fails, the partitions it held fall to many
     * different stand-ins rather than all to its ring neighbour (Dynamo's strategy 3).
     */

    private OwnerSequence() {
    }

    static int[] build(int nodes, int partitionsPerNode, int replicas, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int window = Math.min(replicas, nodes);
        int[] owners = new int[nodes * partitionsPerNode];
        if (nodes < 3 * window - 2) {
            int[] permutation = shuffled(nodes, random);
            for (int slot = 0; slot < owners.length; slot++) {
                owners[slot] = permutation[slot % nodes];
            }
            return owners;
        }
        for (int round = 0; round < partitionsPerNode; round++) {
            int[] permutation = shuffled(nodes, random);
            int start = round * nodes;
            for (int i = 0; i < window - 1; i++) {
                int earliest = start + i - (window - 1);
                if (round > 0) {
                    repair(permutation, i, owners, Math.max(earliest, 0), start, window);
                }
            }
            if (round == partitionsPerNode - 1 && round > 0) {
                for (int k = 0; k < window - 1; k++) {
                    int i = nodes - 1 - k;
                    // Slot (start + i) is followed, across the wrap, by slots 0 .. window-2-k.
                    repair(permutation, i, owners, 0, window - 1 - k, window);
                }
            }
            System.arraycopy(permutation, 0, owners, start, nodes);
        }
        return owners;
    }

    /** Swaps permutation[i] with a middle slot when it already appears in owners[from, to). */
    private static void repair(int[] permutation, int i, int[] owners, int from, int to, int window) {
        if (!contains(owners, from, to, permutation[i])) {
            return;
        }
        int middleStart = window - 1;
        int middleEnd = permutation.length - (window - 1);
        for (int j = middleStart; j < middleEnd; j++) {
            if (!contains(owners, from, to, permutation[j])) {
                int swap = permutation[i];
                permutation[i] = permutation[j];
                permutation[j] = swap;
                return;
            }
        }
        throw new IllegalStateException("no swap partner: too few nodes for the window");
    }

    private static boolean contains(int[] owners, int from, int to, int node) {
        for (int slot = from; slot < to; slot++) {
            if (owners[slot] == node) {
                return true;
            }
        }
        return false;
    }

    private static int[] shuffled(int nodes, SplittableRandom random) {
        int[] permutation = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            permutation[i] = i;
        }
        for (int i = nodes - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = permutation[i];
            permutation[i] = permutation[j];
            permutation[j] = swap;
        }
        return permutation;
    }
}
