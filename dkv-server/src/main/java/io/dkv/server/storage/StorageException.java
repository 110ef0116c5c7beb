package io.dkv.server.storage;

import io.dkv.core.DkvException;

/** The durable store could not read or write its data directory, or refused to open it. */
public final class StorageException extends DkvException {

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
