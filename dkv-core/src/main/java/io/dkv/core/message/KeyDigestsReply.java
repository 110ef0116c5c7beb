package io.dkv.core.message;

import io.dkv.core.Entry;

import java.util.Objects;

/**
 * Anti-entropy, step 2 answer: the entries the replier holds newer than (or that are
 * missing at) the asker, and the keys for which the asker holds something newer, which the
 * asker then writes to the replier.
 *
 * @param complete false when the replier left entries or keys out to keep the reply within
 *                 its byte budget: the leaves still differ and need another exchange
 */
public record KeyDigestsReply(byte[][] newerKeys, Entry[] newerEntries, byte[][] wantedKeys, boolean complete)
        implements Message {

    public KeyDigestsReply {
        Objects.requireNonNull(wantedKeys, "wantedKeys");
        if (newerKeys.length != newerEntries.length) {
            throw new IllegalArgumentException(newerKeys.length + " keys but " + newerEntries.length + " entries");
        }
    }
}
