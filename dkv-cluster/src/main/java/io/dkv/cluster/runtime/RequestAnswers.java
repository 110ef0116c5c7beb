package io.dkv.cluster.runtime;

import io.dkv.core.NodeId;
import io.dkv.core.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BiConsumer;

/**
 * How a request's outcome reaches the callback it was sent with
 * ({@link Transport#request(NodeId, Message, long, BiConsumer)}): a callback that throws is
 * the caller's bug, logged here, and must not stop whatever delivers it (a connection's
 * other replies, a sweep of timeouts, this node's own reply path).
 */
public final class RequestAnswers {

    private static final Logger log = LoggerFactory.getLogger(RequestAnswers.class);

    private RequestAnswers() {
    }

    /** Hands {@code answer} the reply from {@code from}, or the failure; logs what it throws. */
    public static void deliver(BiConsumer<Message, Throwable> answer, Message reply, Throwable failure, NodeId from) {
        try {
            answer.accept(reply, failure);
        } catch (RuntimeException e) {
            log.error("handling a reply from {} failed", from, e);
        }
    }
}
