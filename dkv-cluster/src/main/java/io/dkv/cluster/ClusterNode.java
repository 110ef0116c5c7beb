package io.dkv.cluster;

import io.dkv.cluster.coordinator.Coordinator;
import io.dkv.cluster.coordinator.ReplicaInspector;
import io.dkv.cluster.coordinator.ReplicaView;
import io.dkv.cluster.coordinator.Router;
import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.cluster.replica.LocalReplica;
import io.dkv.cluster.runtime.MessageHandler;
import io.dkv.core.Consistency;
import io.dkv.core.DkvException;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadRequest;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.HybridLogicalClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One dkv node: coordinates the client requests it receives and serves as a replica for
 * its peers. The public methods are the node's client API; the server puts the Redis
 * protocol in front of them, the simulator calls them directly.
 *
 * <p>Thread-safe: client methods may be called from any thread.
 */
public final class ClusterNode implements MessageHandler {

    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

    private final NodeContext context;
    private final Ring ring;
    private final HybridLogicalClock clock;
    private final LocalReplica replica;
    private final Coordinator coordinator;
    private final ReplicaInspector inspector;
    private final LivenessView liveness;

    public ClusterNode(NodeContext context) {
        this(context, context.config().buildRing());
    }

    /** Builds a node around a ring already built from the same config (rings are immutable and shareable). */
    public ClusterNode(NodeContext context, Ring ring) {
        this.context = context;
        this.ring = ring;
        this.clock = new HybridLogicalClock(context.clock()::wallMillis);
        this.replica = new LocalReplica(context.storage(), clock);
        this.liveness = LivenessView.ALL_UP;
        Router router = new Router(ring, liveness);
        this.coordinator = new Coordinator(context.self(), context.config(), ring, router, replica,
                context.transport(), clock, context.random());
        this.inspector = new ReplicaInspector(context.self(), ring, replica, context.transport(), liveness,
                context.config().replicaTimeoutMillis());
    }

    /** Connects the node to its transport; it starts answering peers. */
    public void start() {
        context.transport().bind(this);
    }

    public NodeId id() {
        return context.self();
    }

    public ClusterConfig config() {
        return context.config();
    }

    public Ring ring() {
        return ring;
    }

    public StorageEngine storage() {
        return context.storage();
    }

    /** Stores {@code value} under {@code key} once {@code consistency} replicas acknowledged. */
    public CompletableFuture<WriteResult> put(byte[] key, byte[] value, Consistency consistency) {
        return coordinator.put(key, value, consistency);
    }

    public CompletableFuture<WriteResult> put(byte[] key, byte[] value) {
        return put(key, value, context.config().writeConsistency());
    }

    /** The key's value, or {@code null} when it is absent or deleted. */
    public CompletableFuture<byte[]> get(byte[] key, Consistency consistency) {
        return coordinator.read(key, consistency).thenApply(entry -> entry == null ? null : entry.value());
    }

    public CompletableFuture<byte[]> get(byte[] key) {
        return get(key, context.config().readConsistency());
    }

    /** The newest entry among the answers (value or tombstone, with its version), or {@code null}. */
    public CompletableFuture<Entry> read(byte[] key, Consistency consistency) {
        return coordinator.read(key, consistency);
    }

    /** Writes a tombstone for {@code key}; the result tells whether a replica had a value. */
    public CompletableFuture<WriteResult> delete(byte[] key, Consistency consistency) {
        return coordinator.delete(key, consistency);
    }

    public CompletableFuture<WriteResult> delete(byte[] key) {
        return delete(key, context.config().writeConsistency());
    }

    /** What each of the key's replicas holds (asked directly, repairing nothing). */
    public CompletableFuture<List<ReplicaView>> inspect(byte[] key) {
        return inspector.inspect(key);
    }

    /** Whether this node believes {@code node} is up. */
    public boolean isUp(NodeId node) {
        return node.equals(context.self()) || liveness.isUp(node);
    }

    /** This node's own stored entry for a key, without asking anyone. */
    public Entry localEntry(byte[] key) {
        return context.storage().get(ring.partitionOf(key), key);
    }

    @Override
    public void onRequest(NodeId from, Message request, Consumer<Message> reply) {
        Message response;
        try {
            if (request instanceof WriteRequest write) {
                response = replica.write(write);
            } else if (request instanceof ReadRequest read) {
                response = replica.read(read);
            } else {
                response = new ErrorReply("unknown request " + request.getClass().getSimpleName());
            }
        } catch (DkvException e) {
            response = new ErrorReply(e.getMessage());
        } catch (RuntimeException e) {
            log.error("{} failed to handle {} from {}", context.self(), request.getClass().getSimpleName(), from, e);
            response = new ErrorReply("internal error: " + e);
        }
        reply.accept(response);
    }

    @Override
    public void onMessage(NodeId from, Message message) {
        log.warn("{} ignored unexpected one-way {} from {}", context.self(), message.getClass().getSimpleName(), from);
    }
}
