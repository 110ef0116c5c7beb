package io.dkv.cluster.handoff;

import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.cluster.replica.ReplicaEndpoints;
import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.cluster.runtime.RequestTransport;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.message.Message;
import io.dkv.core.message.WriteReply;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.ring.Ring;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Hints kept for a node that left the ring go to the partition's replicas in the ring in force. */
class HintRedirectorTest {

    private static final Ring FOUR = Ring.initial(Ring.numberedNodes(4), 3, 12, Ring.DEFAULT_SEED);
    private static final Ring THREE = FOUR.withoutNode(NodeId.of(4));
    private static final RingState BEFORE = RingState.initial(FOUR);
    private static final RingState AFTER = BEFORE.movingTo(THREE).finished();
    private static final NodeId SELF = NodeId.of(9);
    private static final NodeId REMOVED = NodeId.of(4);
    private static final NodeId STAYING = NodeId.of(2);

    private final MemoryHintStore store = new MemoryHintStore(1_000, 1 << 20);
    private final Replicas replicas = new Replicas();
    private final AtomicReference<RingState> inForce = new AtomicReference<>(BEFORE);
    private final NodeCounters metrics = new NodeCounters();
    private final HintRedirector redirector = new HintRedirector(SELF, store, inForce::get,
            new ReplicaEndpoints(SELF, null, replicas, 1_000), 100, metrics);

    private Hint hint(NodeId target, int partition, String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return new Hint(target, partition, bytes, Entry.value(bytes, new Version(1_000, 1)), 0);
    }

    @Test
    void hintsForARemovedNodeAreWrittenToEveryReplicaAndDeletedOnceAllAcknowledged() {
        int partition = FOUR.partitionsReplicatedBy(REMOVED)[0];
        store.store(hint(REMOVED, partition, "a"));
        store.store(hint(STAYING, partition, "b"));

        redirector.round();
        assertThat(replicas.writes).as("nothing while the target is in the ring").isEmpty();

        inForce.set(AFTER);
        NodeId unreachable = THREE.replicas(partition).get(0);
        replicas.down.add(unreachable);
        redirector.round();
        assertThat(replicas.writes).containsExactlyInAnyOrderElementsOf(
                THREE.replicas(partition).stream().filter(node -> !node.equals(unreachable)).toList());
        assertThat(store.countsByTarget()).as("kept until every replica took it").containsKey(REMOVED);

        replicas.down.clear();
        replicas.writes.clear();
        redirector.round();
        assertThat(replicas.writes).containsExactlyInAnyOrderElementsOf(THREE.replicas(partition));
        assertThat(store.countsByTarget()).doesNotContainKey(REMOVED).containsKey(STAYING);
        assertThat(metrics.hintsRedirected.sum()).isEqualTo(1);
    }

    /** Replicas that take every write, except those marked down. */
    private static final class Replicas implements RequestTransport {
        final List<NodeId> writes = new ArrayList<>();
        final Set<NodeId> down = new HashSet<>();


        @Override
        public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
            if (down.contains(to)) {
                return CompletableFuture.failedFuture(new PeerUnavailableException(to, "down"));
            }
            WriteRequest write = (WriteRequest) request;
            writes.add(to);
            return CompletableFuture.completedFuture(WriteReply.stored(false, write.entry().version()));
        }
    }
}
