package io.dkv.core.message;

import io.dkv.core.version.EntryVersion;

import java.util.Objects;

/**
 * Anti-entropy, step 2: the asker's keys and versions in the leaves that differ. The peer
 * answers with a {@link KeyDigestsReply}.
 *
 * @param partition the partition compared
 * @param leaves    the leaves whose hashes differed; the peer compares its keys in them too
 * @param keys      the asker's keys in those leaves
 * @param versions  the version the asker holds for each key
 */
public record KeyDigests(int partition, int[] leaves, byte[][] keys, EntryVersion[] versions) implements Message {

    public KeyDigests {
        Objects.requireNonNull(leaves, "leaves");
        if (keys.length != versions.length) {
            throw new IllegalArgumentException(keys.length + " keys but " + versions.length + " versions");
        }
    }
}
