package io.dkv.core.message;

/**
 * Everything nodes say to each other. Messages are immutable values; the simulator hands
 * them over as objects, the network transport encodes them into frames.
 */
public interface Message {
}
