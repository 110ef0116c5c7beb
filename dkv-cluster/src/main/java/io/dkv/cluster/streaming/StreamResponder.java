package io.dkv.cluster.streaming;

import io.dkv.cluster.runtime.Scheduler;
import io.dkv.core.Entry;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.StreamChunk;
import io.dkv.core.message.StreamRequest;
import io.dkv.core.storage.StorageEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The source side of streaming: answers a {@link StreamRequest} with the partition's next
 * entries after the asker's last key, up to a byte limit.
 *
 * <p>Stateless between chunks (the asker carries the position), so a source that restarts
 * or a stream that moves to another source loses nothing: the next request simply resumes
 * after the last key received. Each chunk is read on the scan scheduler, never on the
 * thread that serves clients.
 */
public final class StreamResponder {

    private static final Logger log = LoggerFactory.getLogger(StreamResponder.class);

    private final StorageEngine storage;
    private final int partitionCount;
    private final Scheduler scanScheduler;
    private final int maxChunkBytes;
    private final LongSupplier epoch;

    /**
     * @param maxChunkBytes the most bytes of keys and values one chunk carries, whatever the
     *                      asker wants: below the transport's frame limit
     * @param epoch         the ring epoch this node routes by
     */
    public StreamResponder(StorageEngine storage, int partitionCount, Scheduler scanScheduler, int maxChunkBytes,
                           LongSupplier epoch) {
        this.epoch = epoch;
        this.storage = storage;
        this.partitionCount = partitionCount;
        this.scanScheduler = scanScheduler;
        this.maxChunkBytes = maxChunkBytes;
    }

    public void onRequest(StreamRequest request, Consumer<Message> reply) {
        if (request.partition() >= partitionCount) {
            reply.accept(new ErrorReply("partition " + request.partition() + " is not in 0.." + (partitionCount - 1)));
            return;
        }
        if (epoch.getAsLong() < request.epoch()) {
            // Until this node routes by the asker's epoch it may still acknowledge writes the
            // copy would miss; the asker tries again shortly.
            reply.accept(new ErrorReply("this node routes by ring epoch " + epoch.getAsLong() + ", not yet "
                    + request.epoch()));
            return;
        }
        scanScheduler.execute(() -> {
            Message answer;
            try {
                answer = chunk(request);
            } catch (RuntimeException e) {
                log.warn("streaming partition {} failed", request.partition(), e);
                answer = new ErrorReply("streaming partition " + request.partition() + " failed: " + e.getMessage());
            }
            reply.accept(answer);
        });
    }

    /** The entries after the asker's last key; at least one when any is left, however large. */
    StreamChunk chunk(StreamRequest request) {
        long limit = Math.min(request.maxBytes(), maxChunkBytes);
        List<byte[]> keys = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        long[] bytes = {0};
        boolean[] more = {false};
        storage.scanAfter(request.partition(), request.after(), (key, entry) -> {
            long size = key.length + (entry.value() == null ? 0 : entry.value().length) + entry.fields().sizeBytes();
            if (!keys.isEmpty() && bytes[0] + size > limit) {
                more[0] = true;
                return false;
            }
            keys.add(key);
            entries.add(entry);
            bytes[0] += size;
            return true;
        });
        return new StreamChunk(keys.toArray(byte[][]::new), entries.toArray(Entry[]::new), !more[0]);
    }
}
