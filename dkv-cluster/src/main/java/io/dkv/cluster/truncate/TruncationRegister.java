package io.dkv.cluster.truncate;

import io.dkv.core.Entry;
import io.dkv.core.TruncationMark;
import io.dkv.core.message.DigestReply;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadReply;

/**
 * A node's truncation mark: a max-register kept in a {@link TruncationMarkStore} before it
 * takes effect, so that a mark this node acknowledged survives its restarts.
 *
 * <p>Thread-safe: reads are one volatile read (every read and write of the store asks it);
 * raises are serialized.
 */
public final class TruncationRegister {

    private final TruncationMarkStore store;
    private volatile TruncationMark mark;

    public TruncationRegister(TruncationMarkStore store) {
        this.store = store;
        this.mark = TruncationMark.of(store.load());
    }

    public TruncationMark current() {
        return mark;
    }

    /** Whether the current mark hides {@code entry} (see {@link TruncationMark#hides(Entry)}). */
    public boolean hides(Entry entry) {
        return mark.hides(entry);
    }

    /**
     * Raises the mark to {@code stamp}, recorded in the store first.
     *
     * @return whether the mark rose (false when it was at least as high already)
     */
    public synchronized boolean raise(long stamp) {
        if (stamp <= mark.stamp()) {
            return false;
        }
        store.store(stamp);
        mark = TruncationMark.of(stamp);
        return true;
    }

    /**
     * A replica's answer to a read as this node must see it: an entry or digest the mark
     * hides counts as absent. A replica that has not heard of the flush yet would otherwise
     * make a flushed key visible again through this coordinator (and read repair would copy
     * it back).
     */
    public Message visible(Message reply) {
        TruncationMark now = mark;
        if (now.isNone()) {
            return reply;
        }
        if (reply instanceof ReadReply read && read.entry() != null) {
            // A hash holding fields from both sides of the flush shows only the later ones.
            Entry stripped = now.strip(read.entry());
            return stripped == null ? ReadReply.MISSING : stripped == read.entry() ? reply : new ReadReply(stripped);
        }
        if (reply instanceof DigestReply digest && now.hides(digest.version())) {
            return DigestReply.MISSING;
        }
        return reply;
    }
}
