package io.dkv.testkit.cluster;

import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.cluster.keyspace.ScanPage;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.cluster.membership.register.Committed;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;

import java.util.List;

/**
 * A running cluster as the shared behaviour tests see it, whatever carries its messages:
 * the simulator or real sockets. Calls block until answered and throw the request's
 * failure (e.g. {@code NotEnoughReplicasException}) unwrapped.
 */
public interface TestCluster extends AutoCloseable {

    Ring ring();

    List<NodeId> nodeIds();

    WriteResult put(NodeId coordinator, String key, String value, Consistency consistency);

    /** One step of a cluster-wide key scan through {@code coordinator}. */
    ScanPage scan(NodeId coordinator, long cursor, int count);

    /** Every live key, by scan steps of {@code count} from cursor 0 until the cursor comes back as 0. */
    default List<String> scanAll(NodeId coordinator, int count) {
        List<String> keys = new java.util.ArrayList<>();
        long cursor = 0;
        int steps = 0;
        do {
            ScanPage page = scan(coordinator, cursor, count);
            page.keys().forEach(key -> keys.add(new String(key, java.nio.charset.StandardCharsets.UTF_8)));
            cursor = page.cursor();
            if (++steps > 100_000) {
                throw new AssertionError("the scan did not end after " + steps + " steps");
            }
        } while (cursor != 0);
        return keys;
    }

    /** The value, or {@code null} when absent. */
    String get(NodeId coordinator, String key, Consistency consistency);

    WriteResult delete(NodeId coordinator, String key, Consistency consistency);

    /** Starts a write without waiting for it. */
    void putInBackground(NodeId coordinator, String key, String value, Consistency consistency);

    /** Stops a node abruptly. */
    void crash(NodeId node);

    /** Starts a crashed node again on the same address. */
    void restart(NodeId node);

    /** What one node's own storage holds for a key. */
    Entry localEntry(NodeId node, String key);

    /**
     * Retries {@code assertion} (failing by assertion or by exception) while letting the
     * cluster run, until it passes or a generous limit is reached.
     */
    void eventually(Runnable assertion);

    /**
     * Proposes {@code value} as the ring after {@code fromEpoch} through {@code node}'s ring
     * register and waits: the committed ring, or the proposal's failure (e.g.
     * {@code RingConflictException}) unwrapped.
     */
    Committed proposeRing(NodeId node, long fromEpoch, byte[] value);

    /** The newest ring {@code node} has installed. */
    Committed currentRing(NodeId node);

    /** Waits until background writes have finished. */
    void awaitBackgroundWork();

    @Override
    void close();
}
