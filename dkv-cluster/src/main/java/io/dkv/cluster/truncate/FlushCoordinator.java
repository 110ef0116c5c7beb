package io.dkv.cluster.truncate;

import io.dkv.cluster.membership.LivenessView;
import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.DkvException;
import io.dkv.core.NodeId;
import io.dkv.core.TruncationMark;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.TruncateReply;
import io.dkv.core.message.TruncateRequest;
import io.dkv.core.version.HybridLogicalClock;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Runs one FLUSHALL from this node: takes a stamp T, has every member of the ring take the
 * mark T, and answers once it is safe to (see docs/ARCHITECTURE.md, "FLUSHALL").
 *
 * <p>The answer is OK only when (1) every member this node sees up has acknowledged T (each
 * has stored it durably and moved its clock past it), (2) the members that acknowledged are
 * a majority (so a node starting later, which gathers marks from a majority before it
 * serves, meets at least one that holds T), and (3) this node's wall clock has passed T by
 * the skew bound ("commit wait", as CockroachDB and Spanner wait out clock uncertainty):
 * from then on every node whose clock is within the bound, even one that never heard of the
 * flush, stamps its writes above T, so no write issued after the OK is hidden by the mark.
 *
 * <p>Thread-safe: each call is independent.
 */
public final class FlushCoordinator {

    /**
     * @param members         the nodes of the ring in force (this node included)
     * @param requestTimeoutMillis how long a member has to answer an ASYNC flush (SYNC, which
     *                        drops everything first, gets {@link #SYNC_TIMEOUT_FACTOR} times more)
     */
    public record Parts(NodeId self, TruncationReplica replica, HybridLogicalClock clock,
                        Supplier<Collection<NodeId>> members, LivenessView liveness, Transport transport,
                        Scheduler scheduler, Clock wall, long requestTimeoutMillis) {
    }

    static final int SYNC_TIMEOUT_FACTOR = 30;

    /**
     * How long a member waits for its drop before it answers a SYNC flush anyway: half the
     * coordinator's timeout, so that only a lost message or a dead node times out.
     */
    public static long syncWaitMillis(long requestTimeoutMillis) {
        return requestTimeoutMillis * SYNC_TIMEOUT_FACTOR / 2;
    }

    private final Parts parts;

    public FlushCoordinator(Parts parts) {
        this.parts = parts;
    }

    /** Flushes the whole store; completes with the mark once every live member holds it. */
    public CompletableFuture<TruncationMark> flushAll(boolean sync) {
        long stamp = parts.clock().now();
        TruncateRequest request = new TruncateRequest(stamp, sync);
        List<NodeId> members = new ArrayList<>(parts.members().get());
        if (!members.contains(parts.self())) {
            members.add(parts.self());
        }
        Map<NodeId, String> outcome = new TreeMap<>();
        List<CompletableFuture<Void>> answers = new ArrayList<>();
        long timeout = sync ? parts.requestTimeoutMillis() * SYNC_TIMEOUT_FACTOR : parts.requestTimeoutMillis();
        for (NodeId node : members) {
            CompletableFuture<Message> reply;
            if (node.equals(parts.self())) {
                reply = new CompletableFuture<>();
                parts.replica().answer(request, reply::complete);
            } else if (!parts.liveness().isUp(node)) {
                record(outcome, node, DOWN);
                continue;
            } else {
                reply = parts.transport().request(node, request, timeout);
            }
            answers.add(reply.handle((message, failure) -> {
                record(outcome, node, message instanceof TruncateReply ? ACKED
                        : message instanceof ErrorReply error ? error.message()
                        : failure != null ? String.valueOf(failure.getMessage()) : "unexpected " + message);
                return null;
            }));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenCompose(done -> verdict(stamp, members.size(), outcome));
    }

    private static final String ACKED = "acked";
    private static final String DOWN = "down";

    private static void record(Map<NodeId, String> outcome, NodeId node, String what) {
        synchronized (outcome) {
            outcome.put(node, what);
        }
    }

    private CompletableFuture<TruncationMark> verdict(long stamp, int memberCount, Map<NodeId, String> outcome) {
        List<String> failed = new ArrayList<>();
        int acked = 0;
        synchronized (outcome) {
            for (Map.Entry<NodeId, String> each : outcome.entrySet()) {
                if (each.getValue().equals(ACKED)) {
                    acked++;
                } else if (!each.getValue().equals(DOWN) && parts.liveness().isUp(each.getKey())) {
                    // A member that failed to answer but is still seen up may be serving
                    // without the mark: FLUSHALL cannot promise anything about it yet.
                    failed.add(each.getKey() + " (" + each.getValue() + ")");
                }
            }
        }
        int majority = memberCount / 2 + 1;
        if (!failed.isEmpty() || acked < majority) {
            String why = !failed.isEmpty() ? "not acknowledged by " + String.join(", ", failed)
                    : "acknowledged by " + acked + " of " + memberCount + " nodes, and a majority (" + majority
                    + ") must hold the mark";
            return CompletableFuture.failedFuture(new DkvException("FLUSHALL " + why + "; the nodes that took the mark"
                    + " hide the old keys and pass it on by gossip, but try again to be sure"));
        }
        return commitWait(stamp).thenApply(done -> TruncationMark.of(stamp));
    }

    /** Completes once this node's wall clock is past the stamp by more than the skew bound. */
    private CompletableFuture<Void> commitWait(long stamp) {
        long waitMillis = HybridLogicalClock.physicalMillis(stamp) + parts.clock().maxSkewMillis() + 1
                - parts.wall().wallMillis();
        CompletableFuture<Void> waited = new CompletableFuture<>();
        if (waitMillis <= 0) {
            waited.complete(null);
        } else {
            parts.scheduler().schedule(waitMillis, () -> waited.complete(null));
        }
        return waited;
    }
}
