package io.dkv.cluster.runtime;

import io.dkv.core.DkvException;
import io.dkv.core.NodeId;

/** A peer did not answer a request in time, or could not be reached at all. */
public final class PeerUnavailableException extends DkvException {

    private final NodeId peer;
    private final String reason;

    public PeerUnavailableException(NodeId peer, String reason) {
        super(peer + " " + reason);
        this.peer = peer;
        this.reason = reason;
    }

    public NodeId peer() {
        return peer;
    }

    /** What went wrong, without the peer's name. */
    public String reason() {
        return reason;
    }

    /** A timeout. Timeouts are routine under failures, so these carry no stack trace. */
    public static PeerUnavailableException timedOut(NodeId peer, long timeoutMillis) {
        return new PeerUnavailableException(peer, "timed out after " + timeoutMillis + " ms");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
