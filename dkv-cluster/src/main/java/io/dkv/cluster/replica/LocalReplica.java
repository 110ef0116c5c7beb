package io.dkv.cluster.replica;

import io.dkv.cluster.handoff.HintedHandoff;
import io.dkv.core.DkvException;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.message.DigestReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadReply;
import io.dkv.core.message.ReadRequest;
import io.dkv.core.message.WriteReply;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.storage.MergeResult;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.HybridLogicalClock;

/**
 * The replica side of reads and writes: applies them to this node's storage, or to its
 * hints when it stands in for a down replica. Used for requests from peers and, without a
 * network hop, when the coordinator is itself a target.
 *
 * <p>Thread-safe, as the storage engine, hint store and clock are.
 */
public final class LocalReplica {

    private final StorageEngine storage;
    private final HybridLogicalClock clock;
    private final HintedHandoff handoff;

    public LocalReplica(StorageEngine storage, HybridLogicalClock clock, HintedHandoff handoff) {
        this.storage = storage;
        this.clock = clock;
        this.handoff = handoff;
    }

    /**
     * Merges the entry into this node's storage, or keeps it as a hint when the request
     * says this node stands in for another. Replicas observe the write's stamp so that any
     * write they coordinate later is ordered after it.
     *
     * @throws DkvException when the entry cannot be kept (storage or hint store full)
     */
    public WriteReply write(WriteRequest request) {
        clock.observe(request.entry().version().stamp());
        if (request.hintFor() != null) {
            if (!handoff.keep(request.hintFor(), request.partition(), request.key(), request.entry())) {
                throw new DkvException("cannot keep a hint for " + request.hintFor() + " (hinted handoff off or hint store full)");
            }
            return WriteReply.NO_VALUE;
        }
        MergeResult result = storage.merge(request.partition(), request.key(), request.entry());
        return WriteReply.of(result.hadValue());
    }

    /** The entry this node holds for the key, or the hint it keeps for {@code standInFor}; {@code null} when none. */
    public Entry lookup(int partition, byte[] key, NodeId standInFor) {
        return standInFor != null ? handoff.hintedEntry(standInFor, partition, key) : storage.get(partition, key);
    }

    /** The entry for the key ({@link ReadReply}), or only its version when the request asks for a digest. */
    public Message read(ReadRequest request) {
        Entry entry = lookup(request.partition(), request.key(), request.standInFor());
        if (request.digest()) {
            return DigestReply.of(entry);
        }
        return entry == null ? ReadReply.MISSING : new ReadReply(entry);
    }

    public StorageEngine storage() {
        return storage;
    }
}
