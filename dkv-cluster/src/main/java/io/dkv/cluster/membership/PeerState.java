package io.dkv.cluster.membership;

/** What a node believes about a peer. */
public enum PeerState {
    /** Heard from recently; requests go to it. */
    UP,
    /** Quiet for longer than usual (phi past half the threshold); still used. */
    SUSPECT,
    /** Presumed failed (phi past the threshold); routing skips it until it is heard from again. */
    DOWN
}
