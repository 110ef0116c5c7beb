package io.dkv.server.metrics;

import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.NodeStatus;
import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.membership.PeerState;
import io.dkv.cluster.membership.PeerStatus;
import io.dkv.core.NodeId;
import io.dkv.server.resp.ClientCounters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * Registers one node's meters: storage, repair and handoff counters, the state and phi of
 * every peer as this node sees it, client connections, and the JVM. Counters read the
 * node's own counters when scraped, so the node's hot paths never touch Micrometer.
 * Peer figures come from a snapshot refreshed about once a second ({@link #refresh}).
 */
public final class NodeMeters implements AutoCloseable {

    private final ClusterNode node;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile List<PeerStatus> peers = List.of();

    public NodeMeters(ClusterNode node, ClientCounters stats, MeterRegistry registry) {
        this.node = node;
        NodeStatus status = node.status();
        NodeCounters metrics = status.counters();
        String self = node.id().toString();
        registry.config().commonTags("node", self);
        // Two JVM meters whose Prometheus names promtool rejects: a duplicate of
        // process_cpu_usage in nanoseconds, and a gauge whose name ends in _count.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        });

        counter(registry, "dkv.replica.failures", "Requests to replicas that timed out or could not be sent", metrics.replicaFailures);
        counter(registry, "dkv.read.repairs", "Stale replicas repaired by reads", metrics.readRepairs);
        counter(registry, "dkv.read.speculative", "Reads that asked one more replica because the asked ones were slow",
                metrics.speculativeReads);
        counter(registry, "dkv.hints.stored", "Hints kept for replicas that missed writes", metrics.hintsStored);
        counter(registry, "dkv.hints.replayed", "Hints handed over to their replica", metrics.hintsReplayed);
        counter(registry, "dkv.hints.dropped", "Hints refused because the hint store was full", metrics.hintsDropped);
        counter(registry, "dkv.hints.expired", "Hints dropped after the hint window", metrics.hintsExpired);
        counter(registry, "dkv.hints.redirected", "Hints for a node no longer in the ring, handed to the partition's replicas",
                metrics.hintsRedirected);
        counter(registry, "dkv.partition.entries.dropped", "Entries deleted after a ring change moved their partition away",
                metrics.partitionEntriesDropped);
        counter(registry, "dkv.anti.entropy.comparisons", "Partitions compared with another replica", metrics.antiEntropyComparisons);
        counter(registry, "dkv.anti.entropy.keys.compared", "Keys compared by anti-entropy", metrics.antiEntropyKeysCompared);
        counter(registry, "dkv.anti.entropy.keys.repaired", "Keys repaired by anti-entropy", metrics.antiEntropyKeysRepaired);
        counter(registry, "dkv.tombstones.purged", "Tombstones purged after the grace period", metrics.tombstonesPurged);
        counter(registry, "dkv.peers.marked.down", "Times this node marked a peer down", metrics.peersMarkedDown);
        counter(registry, "dkv.clock.skew.refusals", "Versions refused: stamped further ahead of this clock than max-clock-skew-ms",
                metrics.clockSkewRefusals);
        counter(registry, "dkv.duty.failures", "Background duties (gossip, repair, hint replay) that threw", metrics.dutyFailures);
        counter(registry, "dkv.anti.entropy.bytes", "Entry bytes moved by anti-entropy, both directions", metrics.antiEntropyBytes);
        gauge(registry, "dkv.recovering", "1 while this node may lack data and does not count toward quorums", status,
                s -> s.recovering() ? 1 : 0);
        FunctionCounter.builder("dkv.client.connections.received", stats, ClientCounters::connectionsReceived)
                .description("Client connections accepted").register(registry);

        gauge(registry, "dkv.hints.pending", "Hints kept and not yet handed over", status, NodeStatus::pendingHints);
        gauge(registry, "dkv.hints.pending.bytes", "Bytes of hints kept", status, NodeStatus::pendingHintBytes);
        gauge(registry, "dkv.stored.keys", "Keys this node stores as a replica", status, NodeStatus::storedKeys);
        gauge(registry, "dkv.stored.tombstones", "Tombstones this node stores", status, NodeStatus::storedTombstones);
        Gauge.builder("dkv.stored.bytes", status, NodeStatus::storedBytes).baseUnit("bytes")
                .description("Approximate bytes this node stores").register(registry);
        gauge(registry, "dkv.client.connections", "Client connections open", stats, ClientCounters::connectedClients);

        for (NodeId peer : node.ring().nodes()) {
            Gauge.builder("dkv.peer.phi", this, meters -> meters.phiOf(peer))
                    .description("Suspicion of each peer as this node sees it (phi accrual)")
                    .tag("peer", peer.toString()).register(registry);
            Gauge.builder("dkv.peer.up", this, meters -> meters.stateOf(peer) == PeerState.DOWN ? 0 : 1)
                    .description("1 while this node considers the peer up (or suspect), 0 once marked down")
                    .tag("peer", peer.toString()).register(registry);
        }

        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Takes a fresh snapshot of the peers' states; call about once a second. */
    public void refresh() {
        node.peerStatuses().thenAccept(statuses -> peers = statuses);
    }

    public List<PeerStatus> peers() {
        return peers;
    }

    private double phiOf(NodeId peer) {
        for (PeerStatus status : peers) {
            if (status.node().equals(peer)) {
                return Double.isFinite(status.phi()) ? Math.max(0, status.phi()) : 1e9;
            }
        }
        return 0;
    }

    private PeerState stateOf(NodeId peer) {
        for (PeerStatus status : peers) {
            if (status.node().equals(peer)) {
                return status.state();
            }
        }
        return PeerState.UP;
    }

    private static void counter(MeterRegistry registry, String name, String description, LongAdder adder) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(registry);
    }

    private static <T> void gauge(MeterRegistry registry, String name, String description, T source, ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value).description(description).register(registry);
    }

    @Override
    public void close() {
        gc.close();
    }
}
