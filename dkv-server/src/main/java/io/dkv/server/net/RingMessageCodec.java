package io.dkv.server.net;

import io.dkv.core.message.Ballot;
import io.dkv.core.message.RingAccept;
import io.dkv.core.message.RingAccepted;
import io.dkv.core.message.RingCommit;
import io.dkv.core.message.RingFetch;
import io.dkv.core.message.RingMessage;
import io.dkv.core.message.RingPrepare;
import io.dkv.core.message.RingPromise;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;

/**
 * The binary form of the {@link RingMessage}s (ring epochs committed by Paxos), kept apart
 * from {@link MessageCodec} which hands them over. Type numbers 40 to 49 are this codec's;
 * never reuse one.
 */
final class RingMessageCodec {

    static final byte RING_PREPARE = 40;
    static final byte RING_PROMISE = 41;
    static final byte RING_ACCEPT = 42;
    static final byte RING_ACCEPTED = 43;
    static final byte RING_COMMIT = 44;
    static final byte RING_FETCH = 45;

    private RingMessageCodec() {
    }

    static boolean isRingType(byte type) {
        return type >= RING_PREPARE && type <= RING_FETCH;
    }

    static void encode(RingMessage message, ByteBuf out) {
        if (message instanceof RingPrepare prepare) {
            out.writeByte(RING_PREPARE);
            out.writeLong(prepare.epoch());
            writeBallot(out, prepare.ballot());
        } else if (message instanceof RingPromise promise) {
            out.writeByte(RING_PROMISE);
            out.writeLong(promise.epoch());
            out.writeBoolean(promise.granted());
            writeBallot(out, promise.promised());
            writeBallot(out, promise.accepted());
            WireFormat.writeBytes(out, promise.acceptedValue());
            out.writeLong(promise.committedEpoch());
        } else if (message instanceof RingAccept accept) {
            out.writeByte(RING_ACCEPT);
            out.writeLong(accept.epoch());
            writeBallot(out, accept.ballot());
            WireFormat.writeBytes(out, accept.value());
        } else if (message instanceof RingAccepted accepted) {
            out.writeByte(RING_ACCEPTED);
            out.writeLong(accepted.epoch());
            out.writeBoolean(accepted.granted());
            writeBallot(out, accepted.promised());
            out.writeLong(accepted.committedEpoch());
        } else if (message instanceof RingCommit commit) {
            out.writeByte(RING_COMMIT);
            out.writeLong(commit.epoch());
            WireFormat.writeBytes(out, commit.value());
        } else if (message instanceof RingFetch fetch) {
            out.writeByte(RING_FETCH);
            out.writeLong(fetch.epoch());
        } else {
            throw new IllegalArgumentException("no wire format for " + message.getClass().getName());
        }
    }

    static RingMessage decode(byte type, ByteBuf in) {
        return switch (type) {
            case RING_PREPARE -> new RingPrepare(in.readLong(), readBallot(in));
            case RING_PROMISE -> new RingPromise(in.readLong(), in.readBoolean(), readBallot(in), readBallot(in),
                    WireFormat.readBytes(in), in.readLong());
            case RING_ACCEPT -> new RingAccept(in.readLong(), readBallot(in), WireFormat.readBytes(in));
            case RING_ACCEPTED -> new RingAccepted(in.readLong(), in.readBoolean(), readBallot(in), in.readLong());
            case RING_COMMIT -> new RingCommit(in.readLong(), WireFormat.readBytes(in));
            case RING_FETCH -> new RingFetch(in.readLong());
            default -> throw new CorruptedFrameException("unknown ring message type " + type);
        };
    }

    /** An upper bound on the encoded size. */
    static int sizeHint(RingMessage message) {
        if (message instanceof RingPromise promise) {
            return 64 + promise.acceptedValue().length;
        }
        if (message instanceof RingAccept accept) {
            return 64 + accept.value().length;
        }
        if (message instanceof RingCommit commit) {
            return 64 + commit.value().length;
        }
        return 64;
    }

    private static void writeBallot(ByteBuf out, Ballot ballot) {
        out.writeLong(ballot.round());
        out.writeInt(ballot.node());
    }

    private static Ballot readBallot(ByteBuf in) {
        long round = in.readLong();
        int node = in.readInt();
        if (round < 0 || node < 0) {
            throw new CorruptedFrameException("negative ballot " + round + "." + node);
        }
        return new Ballot(round, node);
    }
}
