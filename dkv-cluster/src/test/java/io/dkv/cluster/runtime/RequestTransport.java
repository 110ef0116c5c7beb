package io.dkv.cluster.runtime;

import io.dkv.core.NodeId;
import io.dkv.core.message.Message;

/**
 * A transport for tests whose peers only answer requests: nothing is bound and one-way
 * messages go nowhere, so a test writes just {@link #request(NodeId, Message, long)}.
 */
@FunctionalInterface
public interface RequestTransport extends Transport {

    @Override
    default void bind(MessageHandler handler) {
    }

    @Override
    default void send(NodeId to, Message message) {
    }
}
