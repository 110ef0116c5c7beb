package io.dkv.cluster.streaming;

import io.dkv.cluster.repair.ByteBudget;
import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.DkvException;
import io.dkv.core.NodeId;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.StreamChunk;
import io.dkv.core.message.StreamRequest;
import io.dkv.core.storage.MergeResult;
import io.dkv.core.storage.StorageEngine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Copies one partition from a replica that holds it into this node's store, a chunk at a
 * time, in stream order: the snapshot half of streaming. Writes that arrive while it runs
 * are the other half: they reach this node directly (it is already a write target), and
 * the merge rule makes the order of the two irrelevant: a streamed entry older than the
 * one a client wrote meanwhile is simply not kept.
 *
 * <p>Each chunk is merged on the scan scheduler, and the next one is asked for only when
 * the node's streaming budget allows (the {@code stream-bytes-per-second} token bucket,
 * shared by all of a node's streams). A chunk that gets no answer is asked for again, up to
 * {@code maxAttempts} times in a row; the stream then fails and may be restarted from any
 * replica: it resumes after the last key received because the position travels with the
 * request.
 *
 * <p>Thread-safe: the state is touched only on the scan scheduler, one step at a time.
 */
public final class PartitionStream {

    /** Parts a stream works with: where it stores, how it asks, and its limits. */
    public record Parts(StorageEngine storage, Transport transport, Scheduler scanScheduler, Clock clock,
                        ByteBudget budget, int chunkBytes, long timeoutMillis, int maxAttempts) {
    }

    private final Parts parts;
    private final NodeId source;
    private final int partition;
    private final long epoch;
    private final CompletableFuture<StreamProgress> result = new CompletableFuture<>();
    private final long startedAtMillis;
    private volatile byte[] after;
    private volatile long chunks;
    private volatile long entries;
    private volatile long bytes;
    private volatile long finishedAtMillis = -1;
    private volatile boolean received;
    private int failedAttempts;

    private PartitionStream(Parts parts, NodeId source, int partition, long epoch) {
        this.parts = parts;
        this.source = source;
        this.partition = partition;
        this.epoch = epoch;
        this.startedAtMillis = parts.clock().monotonicMillis();
    }

    /**
     * Starts copying {@code partition} from {@code source}; the future completes when all of
     * it is here.
     *
     * @param epoch the ring epoch the copy is for: the source answers once it routes by it
     */
    public static PartitionStream start(Parts parts, NodeId source, int partition, long epoch) {
        PartitionStream stream = new PartitionStream(parts, source, partition, epoch);
        parts.scanScheduler().execute(stream::askNext);
        return stream;
    }

    /** Completes with the final progress once the whole partition was received; fails when the source stays silent or errs. */
    public CompletableFuture<StreamProgress> result() {
        return result;
    }

    public StreamProgress progress() {
        long end = finishedAtMillis >= 0 ? finishedAtMillis : parts.clock().monotonicMillis();
        return new StreamProgress(partition, source, chunks, entries, bytes, end - startedAtMillis, received);
    }

    private void askNext() {
        long wait = parts.budget().millisUntilAvailable();
        if (wait > 0) {
            parts.scanScheduler().schedule(wait, this::askNext);
            return;
        }
        parts.transport().request(source, new StreamRequest(partition, after, parts.chunkBytes(), epoch), parts.timeoutMillis())
                .whenComplete((reply, error) -> parts.scanScheduler().execute(() -> onReply(reply, error)));
    }

    private void onReply(Message reply, Throwable error) {
        try {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof PeerUnavailableException && ++failedAttempts < parts.maxAttempts()) {
                    parts.scanScheduler().schedule(Math.min(1_000, 50L << Math.min(failedAttempts, 5)), this::askNext);
                    return;
                }
                fail(cause);
                return;
            }
            if (reply instanceof ErrorReply err) {
                fail(new DkvException(source + " could not stream partition " + partition + ": " + err.message()));
                return;
            }
            if (!(reply instanceof StreamChunk chunk)) {
                fail(new DkvException(source + " answered a stream request with " + reply.getClass().getSimpleName()));
                return;
            }
            failedAttempts = 0;
            apply(chunk);
            if (chunk.last()) {
                finishedAtMillis = parts.clock().monotonicMillis();
                received = true;
                result.complete(progress());
            } else {
                askNext();
            }
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void apply(StreamChunk chunk) {
        // One batch per chunk: the engine reads the chunk's keys together and stores the
        // winners with one write (a read, compare and write per key made copies crawl).
        parts.storage().mergeAll(partition, chunk.keys(), chunk.entries(), new MergeResult[chunk.keys().length]);
        long payload = chunk.payloadBytes();
        parts.budget().spend(payload);
        chunks++;
        entries += chunk.keys().length;
        bytes += payload;
        if (chunk.keys().length > 0) {
            after = chunk.keys()[chunk.keys().length - 1];
        }
    }

    private void fail(Throwable cause) {
        finishedAtMillis = parts.clock().monotonicMillis();
        result.completeExceptionally(cause);
    }
}
