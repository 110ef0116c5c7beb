package io.dkv.core;

/** A storage engine refused a write because it would pass the engine's memory limit. */
public final class StorageFullException extends LimitExceededException {

    public StorageFullException(long usedBytes, long wantedBytes, long limitBytes) {
        super("storage full: " + usedBytes + " bytes used, write needs " + wantedBytes
                + " more, limit is " + limitBytes);
    }
}
