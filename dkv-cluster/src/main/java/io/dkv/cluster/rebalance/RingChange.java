package io.dkv.cluster.rebalance;

import io.dkv.cluster.runtime.Scheduler;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.DkvException;
import io.dkv.core.NodeId;
import io.dkv.core.message.MoveStatus;
import io.dkv.core.message.MoveStatusRequest;
import io.dkv.core.ring.Ring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Drives one ring change from the node that was asked for it: commits the state that
 * starts the move, waits until every node that gains partitions holds them (asking each
 * for its {@link MoveStatus}), then commits the state that ends it. Either commit may lose
 * to a concurrent change; the change then fails, and nothing was moved that the winner
 * does not know about, since every node follows the committed states only.
 *
 * <p>Threading: polls run on the node's scheduler; the result may complete on any thread.
 */
public final class RingChange {

    private static final Logger log = LoggerFactory.getLogger(RingChange.class);

    /** Commits a ring state by a majority and spreads it (Paxos on the epoch; in tests, a stand-in). */
    public interface Publisher {

        /**
         * Commits {@code proposed} as the state of its epoch. Completes with the committed
         * state of that epoch, which is another one when a concurrent change won it.
         */
        CompletableFuture<RingState> publish(RingState proposed);
    }

    private final NodeId self;
    private final RingHolder rings;
    private final Publisher publisher;
    private final Transport transport;
    private final Scheduler scheduler;
    private final Supplier<MoveStatus> ownStatus;
    private final long pollMillis;
    private final long requestTimeoutMillis;
    private final Map<NodeId, MoveStatus> lastStatus = new ConcurrentHashMap<>();

    public RingChange(NodeId self, RingHolder rings, Publisher publisher, Transport transport, Scheduler scheduler,
                      Supplier<MoveStatus> ownStatus, long pollMillis, long requestTimeoutMillis) {
        this.self = self;
        this.rings = rings;
        this.publisher = publisher;
        this.transport = transport;
        this.scheduler = scheduler;
        this.ownStatus = ownStatus;
        this.pollMillis = pollMillis;
        this.requestTimeoutMillis = requestTimeoutMillis;
    }

    /**
     * Moves the cluster to {@code target}. Completes with the final state once the nodes
     * that gain partitions hold them and the switch is committed; fails when a change is
     * already under way or another change won the epoch.
     *
     * @param joined where the nodes that join listen for peers ({@code host:port}), if known
     */
    public CompletableFuture<RingState> start(Ring target, Map<NodeId, String> joined) {
        RingState now = rings.state();
        if (now.moving()) {
            return CompletableFuture.failedFuture(new DkvException("a ring change is already under way (epoch "
                    + now.epoch() + "); wait for it to finish"));
        }
        RingState moving = now.movingTo(target, joined);
        return commit(moving).thenCompose(this::finish);
    }

    /**
     * Finishes a change someone else started, whose state {@code moving} is in force: waits
     * until the nodes that gain partitions hold them, then commits the state that ends it.
     * Used when the node that drove it died or stalled ({@link StalledChangeFinisher}).
     * Committing the same finished state twice is harmless: it is one deterministic value,
     * so a driver that is still alive and this node agree on it whichever commits first.
     */
    public CompletableFuture<RingState> resume(RingState moving) {
        if (!moving.moving()) {
            return CompletableFuture.failedFuture(new DkvException("ring epoch " + moving.epoch()
                    + " moves nothing: there is no change to finish"));
        }
        return finish(moving);
    }

    /**
     * Abandons the change whose state {@code moving} is in force: commits the state that
     * keeps the current placement ({@link RingState#aborted}). For a change that cannot
     * finish, such as one whose joining node died before it held its partitions. Fails when
     * the change was finished (or abandoned) meanwhile.
     */
    public CompletableFuture<RingState> abort(RingState moving) {
        if (!moving.moving()) {
            return CompletableFuture.failedFuture(new DkvException("no ring change is under way (epoch "
                    + moving.epoch() + ")"));
        }
        log.info("ring epoch {}: abandoning the move to {}; the ring stays {}", moving.epoch(),
                moving.next().nodes(), moving.current().nodes());
        return commit(moving.aborted());
    }

    /** The last progress each node that gains partitions reported. */
    public Map<NodeId, MoveStatus> progress() {
        return Map.copyOf(lastStatus);
    }

    private CompletableFuture<RingState> commit(RingState proposed) {
        return publisher.publish(proposed).thenApply(committed -> {
            if (!committed.equals(proposed)) {
                throw new DkvException("another ring change took epoch " + proposed.epoch() + "; try again");
            }
            rings.install(committed);
            return committed;
        });
    }

    private CompletableFuture<RingState> finish(RingState moving) {
        Set<NodeId> gaining = moving.gaining();
        log.info("ring epoch {}: {} take partitions; waiting until they hold them", moving.epoch(), gaining);
        CompletableFuture<RingState> allReady = new CompletableFuture<>();
        scheduler.execute(() -> poll(moving, gaining, allReady));
        return allReady.thenCompose(ready -> ready.epoch() > moving.epoch() ? CompletableFuture.completedFuture(ready)
                : commit(moving.finished()));
    }

    private void poll(RingState moving, Set<NodeId> gaining, CompletableFuture<RingState> allReady) {
        if (rings.epoch() > moving.epoch()) {
            // Someone else finished it (a node that took it over) or abandoned it; any later
            // epoch follows the one that did.
            RingState after = rings.atEpoch(moving.epoch() + 1);
            if (after != null && after.equals(moving.finished())) {
                allReady.complete(after);
            } else {
                allReady.completeExceptionally(new DkvException("the ring change of epoch " + moving.epoch()
                        + " was ended elsewhere: the ring is at epoch " + rings.epoch()));
            }
            return;
        }
        CompletableFuture<?>[] asked = gaining.stream().map(node -> statusOf(node)
                .thenAccept(status -> lastStatus.put(node, status))
                .exceptionally(error -> null)).toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(asked).whenComplete((ignored, error) -> scheduler.execute(() -> {
            boolean ready = gaining.stream().allMatch(node -> {
                MoveStatus status = lastStatus.get(node);
                return status != null && status.epoch() == moving.epoch() && status.ready();
            });
            if (ready) {
                allReady.complete(moving);
            } else {
                scheduler.schedule(pollMillis, () -> poll(moving, gaining, allReady));
            }
        }));
    }

    private CompletableFuture<MoveStatus> statusOf(NodeId node) {
        if (node.equals(self)) {
            return CompletableFuture.completedFuture(ownStatus.get());
        }
        return transport.request(node, MoveStatusRequest.INSTANCE, requestTimeoutMillis).thenApply(reply -> {
            if (reply instanceof MoveStatus status) {
                return status;
            }
            throw new DkvException(node + " answered a move status request with " + reply.getClass().getSimpleName());
        });
    }
}
