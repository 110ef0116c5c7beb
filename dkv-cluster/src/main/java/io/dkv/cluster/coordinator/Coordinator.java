package io.dkv.cluster.coordinator;

import io.dkv.cluster.ClusterConfig;
import io.dkv.cluster.NodeMetrics;
import io.dkv.cluster.handoff.HintedHandoff;
import io.dkv.cluster.replica.LocalReplica;
import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.Consistency;
import io.dkv.core.DkvException;
import io.dkv.core.Entry;
import io.dkv.core.LimitExceededException;
import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.StorageFullException;
import io.dkv.core.message.DigestReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadReply;
import io.dkv.core.message.ReadRequest;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.ring.Ring;
import io.dkv.core.version.HybridLogicalClock;
import io.dkv.core.version.Version;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Drives client requests to the replicas of their key: stamps writes with a version, sends
 * them to the key's targets, and answers once the consistency level is met; reads gather
 * replica answers, return the newest, and repair the replicas that were behind.
 *
 * <p>Thread-safe: may be called from many threads at once. Per-request state lives in the
 * operation objects; everything else it touches is immutable or thread-safe.
 */
public final class Coordinator {

    private final NodeId self;
    private final ClusterConfig config;
    private final Ring ring;
    private final Router router;
    private final LocalReplica local;
    private final Transport transport;
    private final HybridLogicalClock clock;
    private final RandomGenerator random;
    private final HintedHandoff handoff;
    private final NodeMetrics metrics;

    public Coordinator(NodeId self, ClusterConfig config, Ring ring, Router router, LocalReplica local,
                       Transport transport, HybridLogicalClock clock, RandomGenerator random, HintedHandoff handoff,
                       NodeMetrics metrics) {
        this.self = self;
        this.config = config;
        this.ring = ring;
        this.router = router;
        this.local = local;
        this.transport = transport;
        this.clock = clock;
        this.random = random;
        this.handoff = handoff;
        this.metrics = metrics;
    }

    public CompletableFuture<WriteResult> put(byte[] key, byte[] value, Consistency consistency) {
        try {
            checkKey(key);
            checkValue(value);
        } catch (DkvException e) {
            return CompletableFuture.failedFuture(e);
        }
        return write("write", key, Entry.value(value, newVersion()), consistency);
    }

    public CompletableFuture<WriteResult> delete(byte[] key, Consistency consistency) {
        try {
            checkKey(key);
        } catch (DkvException e) {
            return CompletableFuture.failedFuture(e);
        }
        return write("delete", key, Entry.tombstone(newVersion()), consistency);
    }

    /** The newest entry among the first answers: a value, a tombstone, or {@code null}. */
    public CompletableFuture<Entry> read(byte[] key, Consistency consistency) {
        try {
            checkKey(key);
        } catch (DkvException e) {
            return CompletableFuture.failedFuture(e);
        }
        int partition = ring.partitionOf(key);
        List<ReplicaTarget> targets = router.targets(partition);
        int required = consistency.required(config.replicas());
        if (targets.size() < required) {
            return CompletableFuture.failedFuture(tooFewTargets("read", targets.size(), required));
        }
        int selfIndex = -1;
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i).node().equals(self)) {
                selfIndex = i;
            }
        }
        if (targets.size() == 1 && selfIndex == 0) {
            // The only replica is this node (RF = 1): no one to wait for or repair.
            return CompletableFuture.completedFuture(local.lookup(partition, key, targets.get(0).hintFor()));
        }
        boolean repair = config.readRepairChance() >= 1.0
                || (config.readRepairChance() > 0 && random.nextDouble() < config.readRepairChance());
        // The value comes from this node when it is a target (no network), else from the first.
        ReadOperation operation = new ReadOperation(targets, Math.max(selfIndex, 0), required,
                targets.size() + config.replicas(), repair ? done -> repair(partition, key, done) : done -> { });
        ReadOperation.Send local = null;
        for (ReadOperation.Send send : operation.initialRequests()) {
            if (send.target().node().equals(self)) {
                local = send;
            } else {
                sendRead(operation, partition, key, send);
            }
        }
        if (local != null) {
            readLocally(operation, partition, key, local);
        }
        return operation.result();
    }

    /**
     * Sends one read request (for the value, or a digest). If the target fails to answer, a
     * stand-in may take its place; if an answer shows a newer version than the value at
     * hand, the operation asks for the value there.
     */
    private void sendRead(ReadOperation operation, int partition, byte[] key, ReadOperation.Send send) {
        ReplicaTarget target = send.target();
        ReadRequest request = new ReadRequest(partition, key, target.hintFor(), send.digest());
        transport.request(target.node(), request, config.replicaTimeoutMillis())
                .whenComplete(answer(reply -> {
                    observe(reply);
                    next(operation, partition, key, operation.onReply(send.index(), reply));
                }, reason -> {
                    metrics.replicaFailures.increment();
                    next(operation, partition, key,
                            operation.onFailure(send.index(), reason, tried -> router.nextStandIn(partition, tried)));
                }));
    }

    private void readLocally(ReadOperation operation, int partition, byte[] key, ReadOperation.Send send) {
        ReadOperation.Send next;
        try {
            Message reply = local.read(new ReadRequest(partition, key, send.target().hintFor(), send.digest()));
            next = operation.onReply(send.index(), reply);
        } catch (DkvException e) {
            next = operation.onFailure(send.index(), e.getMessage(), null);
        }
        next(operation, partition, key, next);
    }

    private void next(ReadOperation operation, int partition, byte[] key, ReadOperation.Send send) {
        if (send == null) {
            return;
        }
        if (send.target().node().equals(self)) {
            readLocally(operation, partition, key, send);
        } else {
            sendRead(operation, partition, key, send);
        }
    }

    private CompletableFuture<WriteResult> write(String name, byte[] key, Entry entry, Consistency consistency) {
        int partition = ring.partitionOf(key);
        List<ReplicaTarget> targets = router.targets(partition);
        int required = consistency.required(config.replicas());
        if (targets.size() < required) {
            return CompletableFuture.failedFuture(tooFewTargets(name, targets.size(), required));
        }
        if (targets.size() == 1 && targets.get(0).node().equals(self) && config.replicas() == 1) {
            // The only replica is this node: answer without the bookkeeping of a fan-out.
            try {
                boolean hadValue = local.write(new WriteRequest(partition, key, entry, null)).hadValue();
                return CompletableFuture.completedFuture(new WriteResult(entry.version(), hadValue));
            } catch (DkvException e) {
                return CompletableFuture.failedFuture(new NotEnoughReplicasException(name, 0, required,
                        self + ": " + e.getMessage(), e instanceof StorageFullException));
            }
        }
        WriteOperation operation = new WriteOperation(name, entry.version(), required, targets,
                targets.size() + config.replicas());
        ReplicaTarget selfTarget = null;
        for (ReplicaTarget target : targets) {
            if (target.node().equals(self)) {
                selfTarget = target;
            } else {
                sendWrite(operation, partition, key, entry, target);
            }
        }
        if (selfTarget != null) {
            writeLocally(operation, partition, key, entry, selfTarget);
        }
        return operation.result();
    }

    /**
     * Sends the write to one target. If it fails to answer, the replica it stood for keeps
     * a hint here, and, while the write still needs answers, the next up node clockwise
     * takes it in that replica's place (sloppy quorum without waiting for the detector).
     */
    private void sendWrite(WriteOperation operation, int partition, byte[] key, Entry entry, ReplicaTarget target) {
        WriteRequest request = new WriteRequest(partition, key, entry, target.hintFor());
        transport.request(target.node(), request, config.replicaTimeoutMillis())
                .whenComplete(answer(reply -> operation.onReply(target.node(), reply), reason -> {
                    metrics.replicaFailures.increment();
                    NodeId missed = target.isStandIn() ? target.hintFor() : target.node();
                    handoff.keep(missed, partition, key, entry);
                    NodeId standIn = operation.onFailure(target.node(), reason,
                            tried -> router.nextStandIn(partition, tried));
                    if (standIn != null) {
                        ReplicaTarget replacement = new ReplicaTarget(standIn, missed);
                        if (standIn.equals(self)) {
                            writeLocally(operation, partition, key, entry, replacement);
                        } else {
                            sendWrite(operation, partition, key, entry, replacement);
                        }
                    }
                }));
    }

    private void writeLocally(WriteOperation operation, int partition, byte[] key, Entry entry, ReplicaTarget target) {
        try {
            operation.onReply(self, local.write(new WriteRequest(partition, key, entry, target.hintFor())));
        } catch (DkvException e) {
            operation.onLocalFailure(self, e);
        }
    }

    /** Sends the newest entry to every target that answered with something older. */
    private void repair(int partition, byte[] key, ReadOperation done) {
        Entry newest = done.newest();
        for (ReplicaTarget stale : done.staleTargets()) {
            metrics.readRepairs.increment();
            WriteRequest request = new WriteRequest(partition, key, newest, stale.hintFor());
            if (stale.node().equals(self)) {
                try {
                    local.write(request);
                } catch (DkvException e) {
                    // Best effort: anti-entropy repairs what read repair could not.
                }
            } else {
                transport.request(stale.node(), request, config.replicaTimeoutMillis());
            }
        }
    }

    private Version newVersion() {
        return new Version(clock.now(), self.number());
    }

    private void observe(Message reply) {
        if (reply instanceof ReadReply read && read.entry() != null) {
            clock.observe(read.entry().version().stamp());
        } else if (reply instanceof DigestReply digest && digest.version() != null) {
            clock.observe(digest.version().stamp());
        }
    }

    private void checkKey(byte[] key) {
        if (key == null) {
            throw new DkvException("key must not be null");
        }
        if (key.length > config.maxKeyBytes()) {
            throw new LimitExceededException("key is " + key.length + " bytes, more than max-key-bytes ("
                    + config.maxKeyBytes() + ")");
        }
    }

    private void checkValue(byte[] value) {
        if (value == null) {
            throw new DkvException("value must not be null");
        }
        if (value.length > config.maxValueBytes()) {
            throw new LimitExceededException("value is " + value.length + " bytes, more than max-value-bytes ("
                    + config.maxValueBytes() + ")");
        }
    }

    private NotEnoughReplicasException tooFewTargets(String operation, int reachable, int required) {
        return new NotEnoughReplicasException(operation, 0, required,
                "only " + reachable + " of " + config.replicas() + " replicas or stand-ins are up");
    }

    /** Adapts a transport future's outcome to reply and failure callbacks. */
    private static BiConsumer<Message, Throwable> answer(Consumer<Message> onReply, Consumer<String> onFailure) {
        return (reply, error) -> {
            if (error == null) {
                onReply.accept(reply);
            } else {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof PeerUnavailableException unavailable) {
                    onFailure.accept(unavailable.reason());
                } else {
                    onFailure.accept(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
                }
            }
        };
    }
}
