package io.dkv.cluster.handoff;

import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.cluster.replica.ReplicaEndpoints;
import io.dkv.core.NodeId;
import io.dkv.core.message.Message;
import io.dkv.core.message.WriteReply;
import io.dkv.core.message.WriteRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Hands over the hints kept for nodes that hold no copies in the ring in force (removed from
 * the cluster, or replaced by another node): the hint may be the only copy of an
 * acknowledged write, and its target will never take it. Each such hint is written to every
 * holder of its partition in the ring in force ({@link RingState#holders}: the current
 * replicas, and during a move the next ones too) as an ordinary write without an epoch,
 * which any holder accepts; it is deleted once all of them acknowledged it, and sent again
 * next round otherwise (until the hint window expires it, as any hint).
 *
 * <p>Thread-safety: rounds run on the node's scheduler; replies continue on any thread; the
 * set of targets with a batch in flight is concurrent.
 */
public final class HintRedirector {

    private static final Logger log = LoggerFactory.getLogger(HintRedirector.class);

    private final NodeId self;
    private final HintStore store;
    private final Supplier<RingState> rings;
    private final ReplicaEndpoints endpoints;
    private final int batchSize;
    private final NodeCounters metrics;
    private final Set<NodeId> inFlight = ConcurrentHashMap.newKeySet();

    public HintRedirector(NodeId self, HintStore store, Supplier<RingState> rings, ReplicaEndpoints endpoints,
                          int batchSize, NodeCounters metrics) {
        this.self = self;
        this.store = store;
        this.rings = rings;
        this.endpoints = endpoints;
        this.batchSize = batchSize;
        this.metrics = metrics;
    }

    /** Sends one batch of the hints of each target outside the ring in force to the partitions' holders. */
    public void round() {
        RingState state = rings.get();
        Set<NodeId> placed = new HashSet<>(state.allNodes());
        for (NodeId target : store.countsByTarget().keySet()) {
            if (!placed.contains(target) && !target.equals(self) && inFlight.add(target)) {
                redirect(target, state);
            }
        }
    }

    private void redirect(NodeId target, RingState state) {
        List<Hint> batch = store.batch(target, batchSize);
        CompletableFuture<?>[] sent = new CompletableFuture<?>[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Hint hint = batch.get(i);
            WriteRequest write = new WriteRequest(hint.partition(), hint.key(), hint.entry());
            List<CompletableFuture<Message>> acks = state.holders(hint.partition()).stream()
                    .map(holder -> endpoints.request(holder, write)).toList();
            sent[i] = CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).thenAccept(done -> {
                boolean allTook = acks.stream().allMatch(ack -> ack.join() instanceof WriteReply);
                if (allTook && store.remove(target, hint.key(), hint.entry().versions())) {
                    metrics.hintsRedirected.increment();
                }
            });
        }
        CompletableFuture.allOf(sent).whenComplete((done, error) -> {
            inFlight.remove(target);
            if (error != null) {
                log.debug("{}: hints for {} (not in the ring at epoch {}) not all handed over yet: {}", self, target,
                        state.epoch(), error.toString());
            }
        });
    }
}
