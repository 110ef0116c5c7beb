package io.dkv.cluster.runtime;

import io.dkv.core.NodeId;
import io.dkv.core.message.Message;

import java.util.function.Consumer;

/** What a node does with the messages its transport receives. */
public interface MessageHandler {

    /**
     * A request from a peer. The handler calls {@code reply} exactly once, now or later,
     * from any thread.
     */
    void onRequest(NodeId from, Message request, Consumer<Message> reply);

    /** A one-way message from a peer; nothing is sent back. */
    void onMessage(NodeId from, Message message);
}
