package io.dkv.cluster.rebalance;

import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.NodeId;
import io.dkv.core.message.MoveStatus;
import io.dkv.core.message.MoveStatusRequest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * How far the ring change under way has got, as one node sees it: the state in force, how
 * long this node has had it, and what each node that gains partitions reports (asked
 * now). What {@code DKV.RING} and {@code dkv status} show; the copy rate is the bytes the
 * gaining nodes copied over the time the state has been in force.
 *
 * <p>Thread-safe: the install time is volatile; each {@link #ask} is independent.
 */
public final class ChangeProgress {

    /** One look at a change: {@code gaining} lacks a node that did not answer in time. */
    public record Snapshot(RingState state, long inForceMillis, Map<NodeId, MoveStatus> gaining) {

        /** Bytes the gaining nodes that answered have copied for this state's change. */
        public long bytesCopied() {
            long bytes = 0;
            for (MoveStatus status : gaining.values()) {
                if (status.epoch() == state.epoch()) {
                    bytes += status.bytes();
                }
            }
            return bytes;
        }
    }

    private final NodeId self;
    private final RingHolder rings;
    private final Transport transport;
    private final Clock clock;
    private final Supplier<MoveStatus> ownStatus;
    private final long timeoutMillis;
    private volatile long installedAtMillis;

    public ChangeProgress(NodeId self, RingHolder rings, Transport transport, Clock clock,
                          Supplier<MoveStatus> ownStatus, long timeoutMillis) {
        this.self = self;
        this.rings = rings;
        this.transport = transport;
        this.clock = clock;
        this.ownStatus = ownStatus;
        this.timeoutMillis = timeoutMillis;
        this.installedAtMillis = clock.monotonicMillis();
        rings.onInstall(state -> installedAtMillis = clock.monotonicMillis());
    }

    /** Asks every node that gains partitions in the state in force where it stands. */
    public CompletableFuture<Snapshot> ask() {
        RingState state = rings.state();
        long inForce = clock.monotonicMillis() - installedAtMillis;
        Map<NodeId, CompletableFuture<MoveStatus>> asked = new LinkedHashMap<>();
        for (NodeId node : state.gaining()) {
            asked.put(node, node.equals(self) ? CompletableFuture.completedFuture(ownStatus.get())
                    : transport.request(node, MoveStatusRequest.INSTANCE, timeoutMillis)
                            .thenApply(reply -> reply instanceof MoveStatus status ? status : null)
                            .exceptionally(error -> null));
        }
        return CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            Map<NodeId, MoveStatus> answers = new LinkedHashMap<>();
            asked.forEach((node, answer) -> {
                MoveStatus status = answer.join();
                if (status != null) {
                    answers.put(node, status);
                }
            });
            return new Snapshot(state, inForce, answers);
        });
    }
}
