package io.dkv.cluster.replica;

import io.dkv.core.DkvException;
import io.dkv.core.Entry;
import io.dkv.core.message.ReadReply;
import io.dkv.core.message.ReadRequest;
import io.dkv.core.message.WriteReply;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.storage.MergeResult;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.HybridLogicalClock;

/**
 * The replica side of reads and writes: applies them to this node's storage. Used for
 * requests from peers and, without a network hop, when the coordinator is itself a replica.
 *
 * <p>Thread-safe, as the storage engine and clock are.
 */
public final class LocalReplica {

    private final StorageEngine storage;
    private final HybridLogicalClock clock;

    public LocalReplica(StorageEngine storage, HybridLogicalClock clock) {
        this.storage = storage;
        this.clock = clock;
    }

    /**
     * Merges the entry into this node's storage. Replicas observe the write's stamp so that
     * any write they coordinate later is ordered after it.
     *
     * @throws DkvException when the entry cannot be stored (storage full)
     */
    public WriteReply write(WriteRequest request) {
        if (request.hintFor() != null) {
            throw new DkvException("this node keeps no hints: it was asked to stand in for " + request.hintFor());
        }
        clock.observe(request.entry().version().stamp());
        MergeResult result = storage.merge(request.partition(), request.key(), request.entry());
        return WriteReply.of(result.hadValue());
    }

    public ReadReply read(ReadRequest request) {
        Entry entry = storage.get(request.partition(), request.key());
        return entry == null ? ReadReply.MISSING : new ReadReply(entry);
    }

    public StorageEngine storage() {
        return storage;
    }
}
