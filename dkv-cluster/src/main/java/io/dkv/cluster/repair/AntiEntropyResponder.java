package io.dkv.cluster.repair;

import io.dkv.cluster.runtime.Clock;
import io.dkv.core.Entry;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.KeyDigests;
import io.dkv.core.message.KeyDigestsReply;
import io.dkv.core.message.MerkleLeavesReply;
import io.dkv.core.message.MerkleRootRequest;
import io.dkv.core.message.MerkleRootsReply;
import io.dkv.core.message.MerkleRootsRequest;
import io.dkv.core.message.Message;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.EntryVersion;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The answering side of anti-entropy: compares roots, hands out leaves, and for the keys
 * of differing leaves says which entries it holds newer and which keys it wants.
 *
 * <p>Every reply stays within {@link MessageLimits}: entries up to the batch size (the first
 * always, since one entry fits a frame by construction), wanted keys while the hard limit
 * allows; whatever is left out makes the reply {@code complete = false}. A tombstone past
 * the grace period is not offered to a peer that lacks the key: it may have been purged
 * there, and there is nothing for it to hide.
 *
 * <p>Step 1 comes in two forms: {@link #onRootsRequest} compares the roots of many
 * partitions at once (what a round starts with), {@link #onRootRequest} compares one and
 * hands back its leaves (what the asker sends for each partition found differing).
 *
 * <p>Step 2 ({@link #onKeyDigests}) compares keys, not trees, so it needs no built tree.
 *
 * <p>Thread-safe: reads only the thread-safe trees, storage and clock.
 */
public final class AntiEntropyResponder {

    static final String TREE_NOT_BUILT = "merkle tree not built yet (node restarting) for partition ";

    private final StorageEngine storage;
    private final MerkleTrees trees;
    private final MessageLimits limits;
    private final Clock clock;
    private final long tombstoneGraceMillis;

    AntiEntropyResponder(StorageEngine storage, MerkleTrees trees, MessageLimits limits, Clock clock,
                         long tombstoneGraceMillis) {
        this.storage = storage;
        this.trees = trees;
        this.limits = limits;
        this.clock = clock;
        this.tombstoneGraceMillis = tombstoneGraceMillis;
    }

    /**
     * Step 1: compare roots; on a mismatch hand back our leaves. While our tree of the
     * partition is not built yet (after a restart) the answer is an error: the asker's
     * comparison fails, repairs nothing, and is made again later.
     */
    public Message onRootRequest(MerkleRootRequest request) {
        if (!trees.isBuilt(request.partition())) {
            return new ErrorReply(TREE_NOT_BUILT + request.partition());
        }
        return trees.root(request.partition()) == request.root()
                ? MerkleLeavesReply.SAME
                : new MerkleLeavesReply(false, trees.leafHashes(request.partition()));
    }

    /**
     * Step 1 for many partitions: the ones whose roots differ from the asker's, and those
     * whose tree is not built here yet (the asker learns nothing about them and asks again
     * later). The reply is never larger than the request (4 bytes per partition at most,
     * against 12), so it fits the frame limit whenever the request did.
     */
    public Message onRootsRequest(MerkleRootsRequest request) {
        int[] partitions = request.partitions();
        int[] differing = new int[partitions.length];
        int[] notBuilt = new int[partitions.length];
        int differ = 0;
        int unbuilt = 0;
        for (int i = 0; i < partitions.length; i++) {
            int partition = partitions[i];
            if (partition >= trees.partitionCount()) {
                return new ErrorReply("no partition " + partition + " in a ring of " + trees.partitionCount());
            }
            if (!trees.isBuilt(partition)) {
                notBuilt[unbuilt++] = partition;
            } else if (trees.root(partition) != request.roots()[i]) {
                differing[differ++] = partition;
            }
        }
        return new MerkleRootsReply(Arrays.copyOf(differing, differ), Arrays.copyOf(notBuilt, unbuilt));
    }

    /** Step 2: our entries the asker lacks or has older; the keys it has newer. */
    public Message onKeyDigests(KeyDigests request) {
        Map<ByteBuffer, EntryVersion> theirs = new HashMap<>();
        for (int i = 0; i < request.keys().length; i++) {
            theirs.put(ByteBuffer.wrap(request.keys()[i]), request.versions()[i]);
        }
        Set<Integer> leaves = new HashSet<>();
        for (int leaf : request.leaves()) {
            leaves.add(leaf);
        }
        long purgeableBefore = clock.wallMillis() - tombstoneGraceMillis;
        List<byte[]> newerKeys = new ArrayList<>();
        List<Entry> newerEntries = new ArrayList<>();
        long[] bytes = {0};
        boolean[] complete = {true};
        Set<ByteBuffer> seen = new HashSet<>();
        storage.forEachEntry(request.partition(), (key, entry) -> {
            if (!leaves.contains(MerkleTrees.leafOf(key))) {
                return;
            }
            ByteBuffer wrapped = ByteBuffer.wrap(key);
            seen.add(wrapped);
            EntryVersion their = theirs.get(wrapped);
            if (their != null && their.covers(entry.versions())) {
                return;
            }
            if (their == null && entry.deadSinceMillis() < purgeableBefore) {
                return;
            }
            long size = key.length + entry.sizeBytes() + MessageLimits.PER_ENTRY_BYTES;
            if (newerKeys.isEmpty() || (newerKeys.size() < limits.maxKeys() && bytes[0] + size <= limits.batchBytes())) {
                newerKeys.add(key);
                newerEntries.add(entry);
                bytes[0] += size;
            } else {
                complete[0] = false;
            }
        });
        List<byte[]> wanted = new ArrayList<>();
        for (Map.Entry<ByteBuffer, EntryVersion> their : theirs.entrySet()) {
            ByteBuffer key = their.getKey();
            Entry ours = seen.contains(key) ? storage.get(request.partition(), key.array()) : null;
            if (ours == null || !ours.versions().covers(their.getValue())) {
                long size = key.remaining() + MessageLimits.PER_KEY_BYTES;
                if (bytes[0] + size <= limits.hardBytes()) {
                    wanted.add(key.array());
                    bytes[0] += size;
                } else {
                    complete[0] = false;
                }
            }
        }
        return new KeyDigestsReply(newerKeys.toArray(byte[][]::new), newerEntries.toArray(Entry[]::new),
                wanted.toArray(byte[][]::new), complete[0]);
    }
}
