package io.dkv.cli.check;

/**
 * A time during which one node was faulty: from the moment the fault began until the node
 * was back and ready again.
 *
 * @param node  the node, e.g. {@code n3}
 * @param kind  what was done to it, e.g. {@code kill} or {@code pause}
 * @param start {@link System#nanoTime()} when the fault began
 * @param end   {@link System#nanoTime()} when the node was ready again ({@link Long#MAX_VALUE} if it never was)
 */
public record Fault(String node, String kind, long start, long end) {

    public Fault {
        if (end < start) {
            throw new IllegalArgumentException("fault ends (" + end + ") before it starts (" + start + ")");
        }
    }

    /** Whether the node was faulty at any time in {@code [from, to]}. */
    public boolean overlaps(long from, long to) {
        return start <= to && end >= from;
    }
}
