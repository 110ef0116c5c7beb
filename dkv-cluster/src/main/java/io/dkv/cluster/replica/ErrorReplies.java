package io.dkv.cluster.replica;

import io.dkv.core.DkvException;
import io.dkv.core.StorageFullException;
import io.dkv.core.message.ErrorReply;

/** How a replica's refusal travels back to the coordinator. */
public final class ErrorReplies {

    private ErrorReplies() {
    }

    public static ErrorReply of(DkvException refusal) {
        return new ErrorReply(refusal.getMessage(), refusal instanceof StorageFullException);
    }
}
