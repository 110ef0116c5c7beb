package io.dkv.core.message;

/**
 * A Paxos ballot number: a round, then the proposing node's number to break ties, so two
 * proposers never use the same ballot and every pair of ballots is ordered.
 *
 * @param round how many times a proposer has tried (starts at 1; {@link #ZERO} is "none")
 * @param node  the number of the node that proposes under this ballot
 */
public record Ballot(long round, int node) implements Comparable<Ballot> {

    /** Lower than every ballot a proposer uses: "nothing promised" or "nothing accepted". */
    public static final Ballot ZERO = new Ballot(0, 0);

    public Ballot {
        if (round < 0 || node < 0) {
            throw new IllegalArgumentException("a ballot needs round >= 0 and node >= 0, got " + round + "." + node);
        }
    }

    public boolean isZero() {
        return round == 0 && node == 0;
    }

    public boolean isAbove(Ballot other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Ballot other) {
        int byRound = Long.compare(round, other.round);
        return byRound != 0 ? byRound : Integer.compare(node, other.node);
    }

    @Override
    public String toString() {
        return round + "." + node;
    }
}
