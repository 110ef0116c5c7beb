package io.dkv.server.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether files can be created in a directory, by creating and deleting a small probe file:
 * what RocksDB must do for every flush, compaction and log switch. A file system remounted
 * read-only (after an I/O error, say) or a directory made immutable fails the probe.
 *
 * <p>Thread-safe: {@link #check} may run on any thread; the last result is published through
 * a volatile field.
 */
final class WritableCheck {

    static final String PROBE_FILE = "dkv-write-probe";
    /** Writes refused for an unwritable directory probe again at most this often. */
    private static final long RECHECK_NANOS = 100_000_000;

    private final Path probe;
    private volatile String problem;
    private volatile long checkedAtNanos;

    WritableCheck(Path dir) {
        this.probe = dir.resolve(PROBE_FILE);
    }

    /** Probes now; returns why the directory is not writable, or null when it is. */
    String check() {
        String found;
        try {
            Files.deleteIfExists(probe);
            Files.createFile(probe);
            Files.delete(probe);
            found = null;
        } catch (IOException | RuntimeException e) {
            found = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        problem = found;
        checkedAtNanos = System.nanoTime();
        return found;
    }

    /** Probes again if the last probe is more than 100 ms old; returns the problem, or null. */
    String recheck() {
        return System.nanoTime() - checkedAtNanos >= RECHECK_NANOS ? check() : problem;
    }

    /** Why the directory was not writable at the last probe, or null when it was. */
    String lastProblem() {
        return problem;
    }
}
