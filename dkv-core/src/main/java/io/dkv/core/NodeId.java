package io.dkv.core;

/**
 * The stable name of one node: {@code n1}, {@code n2}, ... The number also breaks ties
 * between versions stamped at the same instant, so it must be unique in a cluster.
 */
public record NodeId(int number) implements Comparable<NodeId> {

    public NodeId {
        if (number < 1) {
            throw new IllegalArgumentException("node number must be at least 1, got " + number);
        }
    }

    public static NodeId of(int number) {
        return new NodeId(number);
    }

    /** Parses {@code n3} (or plain {@code 3}). */
    public static NodeId parse(String text) {
        String digits = text.startsWith("n") ? text.substring(1) : text;
        try {
            return new NodeId(Integer.parseInt(digits));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a node id (expected n1, n2, ...): '" + text + "'");
        }
    }

    @Override
    public int compareTo(NodeId other) {
        return Integer.compare(number, other.number);
    }

    @Override
    public String toString() {
        return "n" + number;
    }
}
