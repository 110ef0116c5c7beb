package io.dkv.cluster.rebalance;

import io.dkv.core.NodeId;
import io.dkv.core.message.NotMine;
import io.dkv.core.message.WriteRequest;

/**
 * Decides whether a replica may answer a read or write that a coordinator routed by a
 * given ring epoch: the guard that keeps a coordinator with an old ring from collecting
 * votes from nodes that no longer (or do not yet) form the partition's quorum.
 *
 * <p>A request routed by the replica's own epoch, or by an older one under which the
 * partition had the same replicas, is answered. One routed by an older epoch under which
 * the partition's replicas differed is refused with {@link NotMine}, and the coordinator
 * learns the newer ring and tries again. One routed by a newer epoch is answered: the
 * coordinator asks only the nodes that epoch names, and this node learns it by gossip.
 */
public final class EpochFence {

    private final NodeId self;
    private final RingHolder rings;

    public EpochFence(NodeId self, RingHolder rings) {
        this.self = self;
        this.rings = rings;
    }

    /** The epoch this node routes by. */
    public long epoch() {
        return rings.epoch();
    }

    /** {@code null} when the request may be answered, else the refusal to send back. */
    public NotMine check(int partition, long requestEpoch, boolean read) {
        if (requestEpoch == WriteRequest.NO_EPOCH) {
            return null;
        }
        RingState mine = rings.state();
        if (requestEpoch > mine.epoch()) {
            return null;
        }
        if (requestEpoch < mine.epoch()) {
            RingState theirs = rings.atEpoch(requestEpoch);
            if (theirs == null || !theirs.samePlacement(mine, partition)) {
                return new NotMine(mine.epoch(), "partition " + partition + " has other replicas at epoch "
                        + mine.epoch() + " than at epoch " + requestEpoch);
            }
        }
        boolean member = read ? mine.current().replicas(partition).contains(self) : mine.writesTo(self, partition);
        if (!member) {
            return new NotMine(mine.epoch(), self + " does not " + (read ? "serve reads of" : "hold")
                    + " partition " + partition + " at epoch " + mine.epoch());
        }
        return null;
    }
}
