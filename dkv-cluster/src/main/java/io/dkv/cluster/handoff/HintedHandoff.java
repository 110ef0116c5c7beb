package io.dkv.cluster.handoff;

import io.dkv.cluster.config.HandoffConfig;
import io.dkv.cluster.membership.LivenessView;
import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.message.WriteReply;
import io.dkv.core.message.WriteRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Keeps writes for replicas that missed them and hands them over once those replicas are up
 * again (Dynamo section 4.6). Hints come from two places: a stand-in that took a write in a
 * down replica's place, and a coordinator whose write to a replica failed or timed out.
 *
 * <p>Bounded by {@link HandoffConfig}: a hint that cannot be kept is counted and logged;
 * anti-entropy later repairs what it would have carried. Hints for a node that holds no
 * copies in the ring in force (removed or replaced) are not replayed to it: {@link
 * HintRedirector} hands them to the partitions' replicas instead. Thread-safe: {@link #keep} runs on
 * any thread; replay rounds run on the node's scheduler, their replies on any thread.
 */
public final class HintedHandoff {

    private static final Logger log = LoggerFactory.getLogger(HintedHandoff.class);
    private static final long DROP_LOG_INTERVAL_MILLIS = 10_000;

    private final NodeId self;
    private final HandoffConfig config;
    private final HintStore store;
    private final Transport transport;
    private final LivenessView liveness;
    private final Clock clock;
    private final long replicaTimeoutMillis;
    private final NodeCounters metrics;
    private final Predicate<NodeId> placed;
    private final Set<NodeId> replaying = ConcurrentHashMap.newKeySet();
    private volatile long lastDropLogMillis = Long.MIN_VALUE;

    /**
     * Hints are kept for any node but this one, including nodes that joined after the cluster
     * started (numbers beyond its configured {@code nodes}).
     *
     * @param placed whether a node holds copies in the ring in force: hints are replayed only to those
     */
    public HintedHandoff(NodeId self, HandoffConfig config, HintStore store, Transport transport,
                         LivenessView liveness, Clock clock, long replicaTimeoutMillis, NodeCounters metrics,
                         Predicate<NodeId> placed) {
        this.self = self;
        this.config = config;
        this.store = store;
        this.transport = transport;
        this.liveness = liveness;
        this.clock = clock;
        this.replicaTimeoutMillis = replicaTimeoutMillis;
        this.metrics = metrics;
        this.placed = placed;
    }

    public boolean enabled() {
        return config.enabled();
    }

    public HintStore store() {
        return store;
    }

    /** Keeps a write for {@code target}; false (counted and logged) when the bounds refuse it. */
    public boolean keep(NodeId target, int partition, byte[] key, Entry entry) {
        if (!config.enabled() || target.equals(self)) {
            return false;
        }
        if (store.store(new Hint(target, partition, key, entry, clock.wallMillis()))) {
            metrics.hintsStored.increment();
            return true;
        }
        metrics.hintsDropped.increment();
        long now = clock.monotonicMillis();
        if (now - lastDropLogMillis >= DROP_LOG_INTERVAL_MILLIS) {
            lastDropLogMillis = now;
            log.warn("{}: hint store full ({} hints, {} bytes): dropped a hint for {}; anti-entropy will repair it"
                            + " ({} dropped so far)", self, store.count(), store.bytes(), target, metrics.hintsDropped.sum());
        }
        return false;
    }

    /** One replay round: drop expired hints, then send a batch to each target that is up. */
    public void replayRound() {
        int expired = store.expire(clock.wallMillis() - config.maxAgeMillis());
        if (expired > 0) {
            metrics.hintsExpired.add(expired);
            log.info("{}: {} hints passed the hint window ({} ms) and were dropped", self, expired, config.maxAgeMillis());
        }
        for (NodeId target : store.countsByTarget().keySet()) {
            if (!target.equals(self)) {
                replayTo(target);
            }
        }
    }

    /** Sends one batch of hints to {@code target} if it is up and no batch to it is in flight. */
    public void replayTo(NodeId target) {
        if (!liveness.isUp(target) || !placed.test(target) || !replaying.add(target)) {
            return;
        }
        List<Hint> batch = store.batch(target, config.replayBatch());
        if (batch.isEmpty()) {
            replaying.remove(target);
            return;
        }
        CompletableFuture<?>[] sent = new CompletableFuture<?>[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Hint hint = batch.get(i);
            sent[i] = transport.request(target, new WriteRequest(hint.partition(), hint.key(), hint.entry()), replicaTimeoutMillis)
                    .thenAccept(reply -> {
                        if (reply instanceof WriteReply && store.remove(target, hint.key(), hint.entry().versions())) {
                            metrics.hintsReplayed.increment();
                        }
                    });
        }
        CompletableFuture.allOf(sent).whenComplete((done, error) -> replaying.remove(target));
    }
}
