package io.dkv.cluster.repair;

import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.config.RepairConfig;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.message.Message;
import io.dkv.core.message.TombstoneCheck;
import io.dkv.core.message.TombstoneCheckReply;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.EntryVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Purges tombstones once they are older than the grace period and no replica could bring
 * back an older value.
 *
 * <p>Dropping a tombstone is safe only when every replica of its key either holds it (or
 * something newer) or holds nothing: a replica still holding an older value would otherwise
 * resurrect the deleted key through read repair or anti-entropy. So before purging, a
 * node asks every other replica; if one cannot be reached, nothing is purged and the
 * tombstone waits, however long the replica stays down. A replica found holding an older
 * value is sent the tombstone instead. Hints older than the grace period cannot exist
 * (the configuration requires the grace period to exceed the hint window), so no late
 * hint can resurrect a purged key either. docs/ARCHITECTURE.md describes the trade-off.
 *
 * <p>The ring moves ({@code ClusterNode.rings}): each partition is swept by the ring state in
 * force when its turn comes, and "every replica" is every holder of the partition in that
 * state ({@link RingState#holders}): while a move is under way, the next replicas too, so a
 * node still gaining the partition (and possibly holding an older value it was streamed, or
 * about to be streamed one from a replica not yet swept) must hold the tombstone as well.
 * A tombstone is purged only if the state in force is still the one it was checked under:
 * a change installed meanwhile may have added holders nobody asked. A node sweeps the
 * partitions it is a current replica of; the nodes gaining one sweep it once the move is over.
 *
 * <p>Thread-safety: sweeps start on the scheduler thread; replies continue on any thread.
 */
public final class TombstoneCollector {

    private static final Logger log = LoggerFactory.getLogger(TombstoneCollector.class);

    private final NodeId self;
    private final Supplier<RingState> rings;
    private final RepairConfig config;
    private final StorageEngine storage;
    private final Transport transport;
    private final Clock clock;
    private final long timeoutMillis;
    private final NodeCounters metrics;
    private final AtomicBoolean sweeping = new AtomicBoolean();

    /** @param rings the ring state in force, read as each partition's turn comes */
    public TombstoneCollector(NodeId self, Supplier<RingState> rings, RepairConfig config, StorageEngine storage,
                              Transport transport, Clock clock, long timeoutMillis, NodeCounters metrics) {
        this.self = self;
        this.rings = rings;
        this.config = config;
        this.storage = storage;
        this.transport = transport;
        this.clock = clock;
        this.timeoutMillis = timeoutMillis;
        this.metrics = metrics;
    }

    /**
     * Looks once at every partition this node is a current replica of in the ring in force,
     * one after another. Runs on the scheduler thread.
     */
    public void sweep() {
        if (!sweeping.compareAndSet(false, true)) {
            return;
        }
        long cutoff = clock.wallMillis() - config.tombstoneGraceMillis();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int partition : rings.get().current().partitionsReplicatedBy(self)) {
            chain = chain.thenCompose(done -> sweep(partition, cutoff));
        }
        chain.whenComplete((done, error) -> sweeping.set(false));
    }

    private CompletableFuture<Void> sweep(int partition, long cutoffMillis) {
        RingState state = rings.get();
        if (!state.current().replicas(partition).contains(self)) {
            return CompletableFuture.completedFuture(null);
        }
        List<byte[]> keys = new ArrayList<>();
        List<EntryVersion> versions = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        storage.forEachDeadBefore(partition, cutoffMillis, (key, entry) -> {
            if (keys.size() < config.antiEntropyMaxKeys()) {
                keys.add(key);
                versions.add(entry.versions());
                entries.add(entry);
            }
        });
        if (keys.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        TombstoneCheck check = new TombstoneCheck(partition, keys.toArray(byte[][]::new), versions.toArray(EntryVersion[]::new));
        List<NodeId> peers = state.holders(partition).stream().filter(n -> !n.equals(self)).toList();
        List<CompletableFuture<boolean[]>> answers = new ArrayList<>();
        for (NodeId peer : peers) {
            answers.add(transport.request(peer, check, timeoutMillis).thenApply(reply -> {
                boolean[] safe = ((TombstoneCheckReply) reply).safe();
                repairUnsafe(peer, check, entries, safe);
                return safe;
            }));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenAccept(done -> {
                    if (rings.get().epoch() == state.epoch()) {
                        purgeWhereAllAgree(check, answers);
                    }
                })
                .exceptionally(error -> {
                    log.debug("{}: keeping tombstones of partition {}: a replica did not answer ({})", self, partition,
                            error.toString());
                    return null;
                });
    }

    private void purgeWhereAllAgree(TombstoneCheck check, List<CompletableFuture<boolean[]>> answers) {
        for (int i = 0; i < check.keys().length; i++) {
            boolean everyoneSafe = true;
            for (CompletableFuture<boolean[]> answer : answers) {
                everyoneSafe &= answer.join()[i];
            }
            if (everyoneSafe && storage.removeIfVersion(check.partition(), check.keys()[i], check.versions()[i])) {
                metrics.tombstonesPurged.increment();
            }
        }
    }

    /** A replica that still holds an older value (or lacks the expiry) gets our entry now. */
    private void repairUnsafe(NodeId peer, TombstoneCheck check, List<Entry> entries, boolean[] safe) {
        for (int i = 0; i < safe.length; i++) {
            if (!safe[i]) {
                transport.request(peer, new WriteRequest(check.partition(), check.keys()[i], entries.get(i)), timeoutMillis);
            }
        }
    }

    /**
     * Responder: for each key, true when we hold that tombstone or expired entry (or newer
     * registers) or nothing at all.
     */
    public Message onCheck(TombstoneCheck check) {
        boolean[] safe = new boolean[check.keys().length];
        for (int i = 0; i < safe.length; i++) {
            Entry ours = storage.get(check.partition(), check.keys()[i]);
            safe[i] = ours == null || ours.versions().covers(check.versions()[i]);
        }
        return new TombstoneCheckReply(safe);
    }
}
