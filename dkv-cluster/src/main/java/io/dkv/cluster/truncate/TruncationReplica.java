package io.dkv.cluster.truncate;

import io.dkv.cluster.runtime.Cancellable;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.core.DkvException;
import io.dkv.core.NodeId;
import io.dkv.core.TruncationMark;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.TruncateReply;
import io.dkv.core.message.TruncateRequest;
import io.dkv.core.version.HybridLogicalClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A node taking truncation marks: from a FLUSHALL ({@link TruncateRequest}), from a peer's
 * gossip, or from the answers it gathers when it starts ({@link TruncationGate}). Taking a
 * mark is, in this order: record it durably (from then on it hides what it must), move the
 * clock past it (every write this node stamps later is above it), then drop the entries it
 * hides (before answering for SYNC, after for ASYNC and for marks learnt by gossip).
 *
 * <p>Thread-safe.
 */
public final class TruncationReplica {

    private static final Logger log = LoggerFactory.getLogger(TruncationReplica.class);

    private final NodeId self;
    private final TruncationRegister marks;
    private final TruncationDropper dropper;
    private final HybridLogicalClock clock;
    private final Scheduler scheduler;
    private final long syncWaitMillis;

    /**
     * @param syncWaitMillis how long a SYNC request waits for the drop before it is answered
     *                       anyway (the mark already hides everything; the drop goes on), so
     *                       that a large store answers within the coordinator's timeout
     */
    public TruncationReplica(NodeId self, TruncationRegister marks, TruncationDropper dropper, HybridLogicalClock clock,
                             Scheduler scheduler, long syncWaitMillis) {
        this.self = self;
        this.marks = marks;
        this.dropper = dropper;
        this.clock = clock;
        this.scheduler = scheduler;
        this.syncWaitMillis = syncWaitMillis;
    }

    public TruncationRegister marks() {
        return marks;
    }

    /** Takes a mark a peer holds (gossip, start-up answers); drops what it hides in the background. */
    public void learn(long stamp) {
        if (stamp > marks.current().stamp() && marks.raise(stamp)) {
            // A stamp beyond the skew bound still hides (hiding more is safe) but moves no clock.
            clock.observe(stamp);
            log.info("{} learnt truncation mark {} from a peer; dropping what it hides", self, marks.current());
            dropInBackground(marks.current());
        }
    }

    /** Answers a {@link TruncateRequest}: with this node's mark once taken (and, for SYNC, once dropped). */
    public void answer(TruncateRequest request, Consumer<Message> reply) {
        try {
            CompletableFuture<?> dropped = take(request.stamp(), request.sync());
            if (dropped.isDone() && !dropped.isCompletedExceptionally()) {
                reply.accept(new TruncateReply(marks.current().stamp()));
                return;
            }
            AtomicBoolean answered = new AtomicBoolean();
            Cancellable cutShort = scheduler.schedule(syncWaitMillis, () -> {
                if (answered.compareAndSet(false, true)) {
                    log.info("{} answers FLUSHALL SYNC after {} ms with the drop still running (the mark hides what"
                            + " is left)", self, syncWaitMillis);
                    reply.accept(new TruncateReply(marks.current().stamp()));
                }
            });
            dropped.whenComplete((done, failure) -> {
                cutShort.cancel();
                if (answered.compareAndSet(false, true)) {
                    reply.accept(failure == null ? new TruncateReply(marks.current().stamp())
                            : new ErrorReply(self + " took the truncation mark but could not drop what it hides: "
                            + failure));
                }
            });
        } catch (DkvException e) {
            reply.accept(new ErrorReply(e.getMessage(), false));
        }
    }

    /**
     * Takes the mark; returns the drop that SYNC waits for (already complete for ASYNC).
     *
     * @throws DkvException when the stamp is further ahead of this clock than the skew bound
     */
    CompletableFuture<?> take(long stamp, boolean sync) {
        if (stamp > 0 && !clock.acceptable(stamp)) {
            throw new DkvException("CLOCKSKEW " + self + " refused a truncation mark stamped " + clock.aheadMillis(stamp)
                    + " ms ahead of its clock (max-clock-skew-ms is " + clock.maxSkewMillis() + ")");
        }
        boolean raised = marks.raise(stamp);
        TruncationMark mark = marks.current();
        clock.observe(mark.stamp());
        if (raised) {
            log.info("{} took truncation mark {} ({})", self, mark, sync ? "SYNC" : "ASYNC");
        }
        if (sync) {
            return dropper.drop(mark);
        }
        if (raised) {
            dropInBackground(mark);
        }
        return CompletableFuture.completedFuture(null);
    }

    private void dropInBackground(TruncationMark mark) {
        dropper.drop(mark).whenComplete((dropped, failure) -> {
            if (failure != null) {
                log.warn("{} could not drop the entries truncation mark {} hides (they stay hidden): {}", self, mark,
                        failure.toString());
            } else {
                log.info("{} dropped {} entries hidden by truncation mark {}", self, dropped, mark);
            }
        });
    }
}
