package io.dkv.core.message;

import io.dkv.core.Entry;

/**
 * Streaming, the answer to a {@link StreamRequest}: the partition's next entries in stream
 * order (values and tombstones alike: a new replica must learn deletes too).
 *
 * @param last true when the partition holds nothing after these entries
 */
public record StreamChunk(byte[][] keys, Entry[] entries, boolean last) implements Message {

    public StreamChunk {
        if (keys.length != entries.length) {
            throw new IllegalArgumentException(keys.length + " keys but " + entries.length + " entries");
        }
    }

    /** Bytes of keys and values carried, for throttling and progress. */
    public long payloadBytes() {
        long bytes = 0;
        for (int i = 0; i < keys.length; i++) {
            bytes += keys[i].length + (entries[i].value() == null ? 0 : entries[i].value().length)
                    + entries[i].fields().sizeBytes();
        }
        return bytes;
    }
}
