package io.dkv.server.storage;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A backup a node took of its data directory.
 *
 * @param dir            where it is, on the node's machine
 * @param takenAtMillis  when the checkpoint was taken (Unix milliseconds)
 * @param durationMillis how long taking it took
 */
public record Backup(Path dir, long takenAtMillis, long durationMillis) {

    public Backup {
        Objects.requireNonNull(dir, "dir");
        if (durationMillis < 0) {
            throw new IllegalArgumentException("durationMillis must not be negative: " + durationMillis);
        }
    }
}
