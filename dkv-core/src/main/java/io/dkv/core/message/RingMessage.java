package io.dkv.core.message;

/**
 * The messages that commit ring changes (single-decree Paxos per epoch) and spread the
 * committed ones. The ring itself travels as an opaque byte array: these messages do not
 * know how a placement is encoded.
 */
public sealed interface RingMessage extends Message
        permits RingPrepare, RingPromise, RingAccept, RingAccepted, RingCommit, RingFetch {

    /** The epoch (Paxos slot) the message is about. */
    long epoch();
}
