package io.dkv.core.message;

import io.dkv.core.Entry;

/**
 * A replica's entry for the key asked about.
 *
 * @param entry the entry (value or tombstone), or {@code null} when the replica has none
 */
public record ReadReply(Entry entry) implements Message {

    public static final ReadReply MISSING = new ReadReply(null);
}
