package io.dkv.cluster.truncate;

import io.dkv.cluster.handoff.Hint;
import io.dkv.cluster.handoff.HintStore;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.version.EntryVersion;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The hint store as hinted handoff must see it after a flush: a hint the truncation mark
 * hides is not kept, and one kept before the flush is discarded when its batch comes up
 * instead of being replayed (a target that has not heard of the flush yet would store it).
 *
 * <p>Thread-safe, as the store it wraps.
 */
public final class TruncatingHintStore implements HintStore {

    private final HintStore delegate;
    private final TruncationRegister marks;

    public TruncatingHintStore(HintStore delegate, TruncationRegister marks) {
        this.delegate = delegate;
        this.marks = marks;
    }

    /** A hidden hint counts as kept: the write it carries is gone everywhere. */
    @Override
    public boolean store(Hint hint) {
        return marks.hides(hint.entry()) || delegate.store(hint);
    }

    @Override
    public Entry get(NodeId target, int partition, byte[] key) {
        Entry entry = delegate.get(target, partition, key);
        return marks.hides(entry) ? null : entry;
    }

    @Override
    public List<Hint> batch(NodeId target, int max) {
        List<Hint> batch = delegate.batch(target, max);
        List<Hint> kept = new ArrayList<>(batch.size());
        for (Hint hint : batch) {
            if (marks.hides(hint.entry())) {
                delegate.remove(target, hint.key(), hint.entry().versions());
            } else {
                kept.add(hint);
            }
        }
        return kept;
    }

    @Override
    public boolean remove(NodeId target, byte[] key, EntryVersion versions) {
        return delegate.remove(target, key, versions);
    }

    @Override
    public int expire(long cutoffMillis) {
        return delegate.expire(cutoffMillis);
    }

    @Override
    public Map<NodeId, Integer> countsByTarget() {
        return delegate.countsByTarget();
    }

    @Override
    public long count() {
        return delegate.count();
    }

    @Override
    public long bytes() {
        return delegate.bytes();
    }
}
