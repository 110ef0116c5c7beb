package io.dkv.core.message;

/** Asks a node where it stands in the ring change under way; answered with a {@link MoveStatus}. */
public record MoveStatusRequest() implements Message {

    public static final MoveStatusRequest INSTANCE = new MoveStatusRequest();
}
