package io.dkv.cluster.keyspace;

import io.dkv.core.Entry;
import io.dkv.core.hash.Field;
import io.dkv.core.hash.HashFields;
import io.dkv.core.message.KeyScanReply;
import io.dkv.core.message.KeyScanRequest;
import io.dkv.core.ring.KeyHash;
import io.dkv.core.storage.StorageEngine;

import java.util.ArrayList;
import java.util.List;

/**
 * The replica side of a key scan: one page of a partition's keys from a hash on, read from
 * this node's storage. Stateless: the coordinator carries the position (a hash), so a page
 * can be asked of any replica, and a replica that restarts loses nothing.
 */
public final class KeyScans {

    private static final byte[] NO_BYTES = new byte[0];

    private KeyScans() {
    }

    /**
     * The keys (values and tombstones) from {@code request.fromHash()} on, up to its limits,
     * never stopping inside a run of keys that share one hash: the reply's resume hash then
     * tells exactly which keys it covers. Each key counts its bytes and an entry's overhead
     * against {@code maxBytes}, so a reply stays within the frame limit however small the
     * keys are.
     */
    public static KeyScanReply page(StorageEngine storage, KeyScanRequest request) {
        List<byte[]> keys = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        long[] bytes = {0};
        long[] lastHash = {0};
        long[] resume = {0};
        boolean[] more = {false};
        storage.scanFrom(request.partition(), request.fromHash(), (key, entry) -> {
            long hash = KeyHash.of(key);
            Entry carried = withoutValue(entry);
            long size = key.length + Entry.OVERHEAD_BYTES + carried.fields().sizeBytes();
            boolean full = keys.size() >= request.maxKeys()
                    || (!keys.isEmpty() && bytes[0] + size > request.maxBytes());
            if (full && hash != lastHash[0]) {
                more[0] = true;
                resume[0] = hash;
                return false;
            }
            keys.add(key);
            entries.add(carried);
            bytes[0] += size;
            lastHash[0] = hash;
            return true;
        });
        return new KeyScanReply(keys.toArray(byte[][]::new), entries.toArray(Entry[]::new), resume[0], !more[0]);
    }

    /**
     * The entry as a scan carries it: everything but the value's bytes, which the coordinator
     * does not need to merge replicas' answers or to decide whether the key is live. MUST keep
     * every other field of the entry (its version, and anything {@code ClusterNode.isLive}
     * reads), or the coordinator would judge liveness on less than the replica holds. A
     * hash keeps its fields' names, versions and tombstones, each value emptied, so that
     * replicas' answers still merge field by field.
     */
    static Entry withoutValue(Entry entry) {
        if (!entry.fields().isEmpty()) {
            HashFields.Builder fields = HashFields.builder();
            entry.fields().all().forEach((name, field) ->
                    fields.put(name, field.isTombstone() ? field : new Field(NO_BYTES, field.version())));
            return new Entry(entry.value() == null ? null : NO_BYTES, entry.version(), entry.expiry(), fields.build());
        }
        return entry.isTombstone() ? entry : new Entry(NO_BYTES, entry.version(), entry.expiry());
    }
}
