package io.dkv.cluster.replica;

import io.dkv.cluster.runtime.RequestTransport;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.message.Message;
import io.dkv.core.message.ReadRequest;
import io.dkv.core.message.WriteReply;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** How a peer's replies reach the coordinator: reads seen through this node's rules, and never lost. */
class ReplicaEndpointsTest {

    private static final NodeId SELF = NodeId.of(1);
    private static final NodeId PEER = NodeId.of(2);
    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);
    private static final Message SEEN_HERE = WriteReply.stored(true, null);

    @Test
    void aPeersReadReplyIsSeenThroughThisNodesRulesAndAWriteReplyIsNot() {
        ReplicaEndpoints endpoints = endpoints(reply -> SEEN_HERE);

        assertThat(endpoints.request(PEER, new ReadRequest(0, KEY))).isCompletedWithValue(SEEN_HERE);
        assertThat(endpoints.request(PEER, new WriteRequest(0, KEY, Entry.value(KEY, new Version(1, 1)))))
                .isCompletedWithValue(WriteReply.HINT_KEPT);
    }

    @Test
    void aReadReplyThisNodeCannotSeeFailsThatPeerInsteadOfNeverAnswering() {
        ReplicaEndpoints endpoints = endpoints(reply -> {
            throw new IllegalStateException("cannot see this reply");
        });

        CompletableFuture<Message> answer = endpoints.request(PEER, new ReadRequest(0, KEY));

        assertThat(answer).isCompletedExceptionally();
        assertThat(answer.handle((reply, failure) -> failure).join()).hasMessageContaining("cannot see this reply");
    }

    /** Endpoints whose peer answers every request at once with {@link WriteReply#HINT_KEPT}. */
    private static ReplicaEndpoints endpoints(UnaryOperator<Message> peerReplies) {
        return new ReplicaEndpoints(SELF, null, new AnsweringPeer(), 1_000, peerReplies);
    }

    private static final class AnsweringPeer implements RequestTransport {

        @Override
        public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
            return CompletableFuture.completedFuture(WriteReply.HINT_KEPT);
        }
    }
}
