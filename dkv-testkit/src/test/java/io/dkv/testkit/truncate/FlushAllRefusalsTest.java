package io.dkv.testkit.truncate;

import io.dkv.core.Consistency;
import io.dkv.core.DkvException;
import io.dkv.core.NodeId;
import io.dkv.core.TruncationMark;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When FLUSHALL, or a node that may have missed one, must refuse rather than guess. */
class FlushAllRefusalsTest {

    private static final NodeId N1 = NodeId.of(1);
    private static final NodeId N2 = NodeId.of(2);
    private static final NodeId N3 = NodeId.of(3);

    private final SimCluster cluster = SimCluster.builder().nodes(3).replicas(3).seed(13)
            .config(c -> c.replicaTimeoutMillis(300)).start();

    @Test
    void aFlushALiveNodeDidNotAcknowledgeFailsNamingItAndGossipStillBringsItTheMark() {
        cluster.client(N1).put("k", "old", Consistency.ALL);
        // n3 is up and heard from, but the flush request cannot reach it.
        cluster.network().block(N1, N3);

        assertThatThrownBy(() -> cluster.await(cluster.node(N1).flushAll(false)))
                .isInstanceOf(DkvException.class)
                .hasMessageContaining("FLUSHALL not acknowledged by " + N3);

        TruncationMark mark = cluster.node(N1).truncationMark();
        assertThat(mark.isNone()).isFalse();
        cluster.runFor(Duration.ofSeconds(5));
        assertThat(cluster.node(N3).truncationMark()).as("learnt from n2's gossip").isEqualTo(mark);
        assertThat(cluster.client(N3).get("k", Consistency.ONE)).isNull();
        assertThat(cluster.localEntry(N3, "k")).as("dropped, not just hidden").isNull();
    }

    @Test
    void aNodeThatRestartsWithoutAMajorityRefusesClientsUntilItHasOne() {
        cluster.client(N1).put("k", "old", Consistency.ALL);
        assertThat(cluster.await(cluster.node(N2).flushAll(true))).isNotNull();
        cluster.client(N2).put("k", "new", Consistency.ALL);
        cluster.crash(N1);
        cluster.crash(N2);
        cluster.crash(N3);
        cluster.restart(N1);

        assertThatThrownBy(() -> cluster.client(N1).get("k", Consistency.ONE))
                .isInstanceOf(DkvException.class)
                .hasMessageContaining(N1 + " restarted and has not yet heard from a majority of the nodes");
        assertThat(cluster.node(N1).servesClients()).isFalse();

        cluster.restart(N3);
        assertThat(cluster.client(N1).get("k", Consistency.ONE)).isEqualTo("new");
        assertThat(cluster.node(N1).servesClients()).isTrue();
    }
}
