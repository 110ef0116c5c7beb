package io.dkv.core.message;

import io.dkv.core.version.EntryVersion;

/**
 * "May I purge these tombstones?" A replica answers, for each key, whether it holds the
 * tombstone (or anything newer) or nothing at all: in both cases no older value could come
 * back from it once the tombstone is gone.
 */
public record TombstoneCheck(int partition, byte[][] keys, EntryVersion[] versions) implements Message {

    public TombstoneCheck {
        if (keys.length != versions.length) {
            throw new IllegalArgumentException(keys.length + " keys but " + versions.length + " versions");
        }
    }
}
