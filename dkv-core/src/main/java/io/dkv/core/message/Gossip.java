package io.dkv.core.message;

import java.util.Objects;

/**
 * Heartbeat state, one entry per node the sender knows of: which incarnation of the node
 * (its generation, a start timestamp) and how many heartbeats it has counted.
 *
 * @param nodes       node numbers
 * @param generations each node's incarnation
 * @param heartbeats  each node's heartbeat counter within that incarnation
 * @param ages        how many milliseconds ago that heartbeat was counted at its origin, as
 *                    far as the sender knows (time spent in transit is not included)
 * @param loads       each node's headline figures as of that heartbeat
 * @param kind        what the message is for
 * @param ringEpoch   the newest ring epoch the sender has committed (0 when it knows only the
 *                    initial ring); a receiver that knows less asks the sender for it
 * @param truncatedAt the sender's truncation mark (FLUSHALL's stamp, 0 when none): a max-register,
 *                    so that a node that missed a flush learns it from anyone who has it
 */
public record Gossip(int[] nodes, long[] generations, long[] heartbeats, int[] ages, NodeLoad[] loads, Kind kind,
                     long ringEpoch, long truncatedAt) implements Message {

    public enum Kind {
        /** Everything the sender knows; answered with a {@link #REPLY}. */
        PUSH,
        /** The entries where the replier knew more than the sender; not answered. */
        REPLY
    }

    public Gossip {
        Objects.requireNonNull(nodes, "nodes");
        Objects.requireNonNull(generations, "generations");
        Objects.requireNonNull(heartbeats, "heartbeats");
        Objects.requireNonNull(ages, "ages");
        Objects.requireNonNull(loads, "loads");
        Objects.requireNonNull(kind, "kind");
        if (nodes.length != generations.length || nodes.length != heartbeats.length || nodes.length != ages.length
                || nodes.length != loads.length) {
            throw new IllegalArgumentException("gossip arrays differ in length: " + nodes.length + ", "
                    + generations.length + ", " + heartbeats.length + ", " + ages.length + ", " + loads.length);
        }
        if (ringEpoch < 0) {
            throw new IllegalArgumentException("negative ring epoch " + ringEpoch);
        }
        if (truncatedAt < 0) {
            throw new IllegalArgumentException("negative truncation mark " + truncatedAt);
        }
    }

    /** Gossip from a node that has never seen a flush. */
    public Gossip(int[] nodes, long[] generations, long[] heartbeats, int[] ages, NodeLoad[] loads, Kind kind,
                  long ringEpoch) {
        this(nodes, generations, heartbeats, ages, loads, kind, ringEpoch, 0);
    }

    /** Gossip from a node that knows only the initial ring (epoch 0). */
    public Gossip(int[] nodes, long[] generations, long[] heartbeats, int[] ages, NodeLoad[] loads, Kind kind) {
        this(nodes, generations, heartbeats, ages, loads, kind, 0, 0);
    }

    public int size() {
        return nodes.length;
    }
}
