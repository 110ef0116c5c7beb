package io.dkv.testkit.sim;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.membership.register.MemoryRingRegisterStore;
import io.dkv.cluster.truncate.MemoryTruncationMarkStore;
import io.dkv.cluster.NodeContext;
import io.dkv.cluster.handoff.HintStore;
import io.dkv.cluster.handoff.MemoryHintStore;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.MemoryStorageEngine;
import io.dkv.core.storage.StorageEngine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An N-node dkv cluster inside the simulator: real node logic, virtual time, a seeded
 * faulty network. Start one with {@link #builder()}, talk to it through {@link #client},
 * and break it with {@link #crash}, {@link #partition}, {@link SimNetwork#dropRate} and friends.
 *
 * <p>The cluster starts with the config's {@code nodes} (n1..nN); {@link #addNode} starts
 * more, numbered beyond them, which then join through a node's {@code join}.
 *
 * <p>A crash models a killed process whose storage and hints survive (as a durable engine's
 * would): the node stops, forgets everything in flight, and {@link #restart} brings up a new
 * incarnation over the same storage. {@link #wipe} models losing the disk too: the node then
 * starts recovering (it does not vote until it has compared its partitions with the others).
 *
 * <p>Not thread-safe: one thread drives the whole simulation.
 */
public final class SimCluster {

    /** How long a blocking client call waits, in virtual time, before giving up. */
    static final long CLIENT_WAIT_MILLIS = 120_000;

    private final Simulation simulation;
    private final SimNetwork network;
    private final ClusterConfig config;
    private final Ring ring;
    /** Every ring state any node installed, by epoch; the last is what nodes route by once they learn it. */
    private final TreeMap<Long, RingState> ringStates = new TreeMap<>();
    private final Map<NodeId, SimNode> nodes = new TreeMap<>();
    private final BiFunction<NodeId, HintStore, HintStore> hintStores;

    private SimCluster(long seed, ClusterConfig config, Consumer<SimNetwork> networkSetup,
                       BiFunction<NodeId, HintStore, HintStore> hintStores, Function<ClusterConfig, Ring> initialRing) {
        this.simulation = new Simulation(seed);
        this.network = new SimNetwork(simulation);
        networkSetup.accept(network);
        this.config = config;
        this.hintStores = hintStores;
        this.ring = initialRing.apply(config);
        ringStates.put(1L, RingState.initial(ring));
        for (NodeId id : Ring.numberedNodes(config.nodes())) {
            startNew(id);
        }
    }

    /**
     * Starts a new, empty node {@code id} with the cluster's config and genesis ring (its own
     * storage, hints, clock, scheduler, transport and ring-epoch votes), as an operator starts
     * a process before joining it: it gossips and learns the ring in force, but holds no
     * partitions until a node of the ring has it {@code join}.
     *
     * @return the running node
     */
    public ClusterNode addNode(NodeId id) {
        if (nodes.containsKey(id)) {
            throw new IllegalArgumentException(id + " is already in this cluster (" + nodeIds() + ")");
        }
        startNew(id);
        return node(id);
    }

    private void startNew(NodeId id) {
        SimNode node = new SimNode(id, MemoryStorageEngine.unlimited(ring.partitionCount()), newHintStore(id),
                new SimClock(simulation), simulation.splitRandom().nextLong());
        nodes.put(id, node);
        boot(node);
    }

    public static Builder builder() {
        return new Builder();
    }

    public long seed() {
        return simulation.seed();
    }

    public Simulation simulation() {
        return simulation;
    }

    public SimNetwork network() {
        return network;
    }

    public ClusterConfig config() {
        return config;
    }

    /** The ring of the newest committed ring state: where keys live once every node has learnt it. */
    public Ring ring() {
        return latestRingState().current();
    }

    /** The newest ring state any node has installed. */
    public RingState latestRingState() {
        return ringStates.lastEntry().getValue();
    }

    /** Every ring state any node has installed, oldest first. */
    public List<RingState> ringStates() {
        return List.copyOf(ringStates.values());
    }

    /** Every node started so far (the configured ones and those added), running or not, in id order. */
    public List<NodeId> nodeIds() {
        return List.copyOf(nodes.keySet());
    }

    /** The running incarnation of a node (its logic, for direct calls). */
    public ClusterNode node(NodeId id) {
        return simNode(id).running;
    }

    public boolean isUp(NodeId id) {
        return simNode(id).up;
    }

    /** A client whose requests all go through {@code coordinator}. */
    public SimClient client(NodeId coordinator) {
        return new SimClient(this, coordinator);
    }

    /** A client that sends each request through a randomly chosen node that is up. */
    public SimClient client() {
        return new SimClient(this, null);
    }

    /** Kills a node: it stops at once and everything it had in flight is lost. */
    public void crash(NodeId id) {
        SimNode node = simNode(id);
        if (!node.up) {
            return;
        }
        node.up = false;
        node.scheduler.kill();
        node.transport.close();
    }

    /** Starts a new incarnation of a crashed node over the storage it had. */
    public void restart(NodeId id) {
        SimNode node = simNode(id);
        if (node.up) {
            throw new IllegalStateException(id + " is running; crash it first");
        }
        boot(node);
    }

    /** Erases a crashed node's storage, as if its disk was replaced. */
    public void wipe(NodeId id) {
        SimNode node = simNode(id);
        if (node.up) {
            throw new IllegalStateException(id + " is running; crash it first");
        }
        node.storage = MemoryStorageEngine.unlimited(ring.partitionCount());
        node.hints = newHintStore(id);
        node.ringStore = new MemoryRingRegisterStore();
        node.markStore = new MemoryTruncationMarkStore();
        node.lostData = true;
    }

    private HintStore newHintStore(NodeId id) {
        return hintStores.apply(id, new MemoryHintStore(config.handoff().maxHints(), config.handoff().maxBytes()));
    }

    /** Cuts {@code side} off from every other node, both ways, until {@link #heal()}. */
    public void partition(Collection<NodeId> side) {
        network.partition(side, nodes.keySet());
    }

    public void heal() {
        network.heal();
    }

    /** True time as a wall clock reads it: what every node's clock shows before {@link #skewClock}. */
    public long trueWallMillis() {
        return SimClock.EPOCH_MILLIS + simulation.now();
    }

    /** Sets how far a node's wall clock is ahead of (positive) or behind (negative) true time. */
    public void skewClock(NodeId id, long millis) {
        simNode(id).clock.skew(millis);
    }

    /** Lets virtual time pass, running everything that happens meanwhile. */
    public void runFor(Duration duration) {
        simulation.runFor(duration.toMillis());
    }

    public boolean runUntil(BooleanSupplier condition, Duration limit) {
        return simulation.runUntil(condition, limit.toMillis());
    }

    /**
     * Lets time pass in steps of a second until {@code condition} holds (checked between
     * steps, so it may be costly) or {@code limit} has passed.
     *
     * @return whether the condition holds
     */
    public boolean runUntilSettled(BooleanSupplier condition, Duration limit) {
        long deadline = simulation.now() + limit.toMillis();
        while (!condition.getAsBoolean()) {
            if (simulation.now() >= deadline) {
                return false;
            }
            simulation.runFor(1_000);
        }
        return true;
    }

    /** What one node stores for a key, read directly from its storage (works while it is down). */
    public Entry localEntry(NodeId id, byte[] key) {
        return simNode(id).storage.get(ring.partitionOf(key), key);
    }

    public Entry localEntry(NodeId id, String key) {
        return localEntry(id, key.getBytes(StandardCharsets.UTF_8));
    }

    /** Where a node keeps its ring-epoch votes (survives crashes, not {@link #wipe}). */
    public MemoryRingRegisterStore ringStore(NodeId id) {
        return simNode(id).ringStore;
    }

    public StorageEngine storage(NodeId id) {
        return simNode(id).storage;
    }

    /** Runs the simulation until {@code future} completes and returns its value or throws its failure. */
    public <T> T await(CompletableFuture<T> future) {
        if (!simulation.runUntil(future::isDone, CLIENT_WAIT_MILLIS)) {
            throw new AssertionError("no answer within " + CLIENT_WAIT_MILLIS + " ms of virtual time (seed "
                    + seed() + ")");
        }
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Nodes that are up, in id order. */
    public List<NodeId> upNodes() {
        List<NodeId> up = new ArrayList<>();
        nodes.forEach((id, node) -> {
            if (node.up) {
                up.add(id);
            }
        });
        return up;
    }

    private void boot(SimNode node) {
        node.scheduler = new SimScheduler(simulation);
        node.transport = new SimTransport(node.id, network, node.scheduler);
        NodeContext context = new NodeContext(node.id, config, node.storage, node.hints, node.clock, node.scheduler,
                new SplittableRandom(node.randomSeed + node.incarnation), node.transport, node.lostData);
        node.lostData = false;
        node.running = new ClusterNode(context, ring, node.ringStore, node.markStore);
        ClusterNode running = node.running;
        recordRingState(running.rings().state());
        running.rings().onInstall(this::recordRingState);
        node.running.start();
        node.incarnation++;
        node.up = true;
    }

    private void recordRingState(RingState state) {
        ringStates.putIfAbsent(state.epoch(), state);
    }

    private SimNode simNode(NodeId id) {
        SimNode node = nodes.get(id);
        if (node == null) {
            throw new IllegalArgumentException(id + " is not in this cluster of " + nodes.size() + " nodes");
        }
        return node;
    }

    /** One node slot: survives crashes; each boot fills it with a new incarnation. */
    private static final class SimNode {
        private final NodeId id;
        private final SimClock clock;
        private final long randomSeed;
        private StorageEngine storage;
        private HintStore hints;
        /** The node's ring-epoch votes: on its "disk", so they survive a crash like its storage. */
        private MemoryRingRegisterStore ringStore = new MemoryRingRegisterStore();
        /** The node's FLUSHALL mark: on its "disk" too. */
        private MemoryTruncationMarkStore markStore = new MemoryTruncationMarkStore();
        private SimScheduler scheduler;
        private SimTransport transport;
        private ClusterNode running;
        private int incarnation;
        private boolean up;
        /** Wiped since it last ran: the next incarnation starts recovering. */
        private boolean lostData;

        SimNode(NodeId id, StorageEngine storage, HintStore hints, SimClock clock, long randomSeed) {
            this.id = id;
            this.storage = storage;
            this.hints = hints;
            this.clock = clock;
            this.randomSeed = randomSeed;
        }
    }

    /** Chooses the cluster's shape, settings, seed and network. */
    public static final class Builder {
        private Function<ClusterConfig, Ring> initialRing = ClusterConfig::buildRing;
        private long seed = 1;
        private ClusterConfig.Builder config = ClusterConfig.builder();
        private Consumer<SimNetwork> network = n -> { };
        private BiFunction<NodeId, HintStore, HintStore> hintStores = (id, store) -> store;

        private Builder() {
        }

        public Builder nodes(int nodes) {
            config.nodes(nodes);
            return this;
        }

        public Builder replicas(int replicas) {
            config.replicas(replicas);
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Adjusts any cluster setting, e.g. {@code c -> c.replicaTimeoutMillis(200)}. */
        public Builder config(Consumer<ClusterConfig.Builder> adjust) {
            adjust.accept(config);
            return this;
        }

        /** Sets up the network's faults, e.g. {@code n -> n.latency(1, 20).dropRate(0.01)}. */
        public Builder network(Consumer<SimNetwork> setup) {
            this.network = network.andThen(setup);
            return this;
        }

        /**
         * Wraps each node's hint store (given the node and its memory store, returns what the
         * node uses), e.g. to inject failures into one node's store.
         */
        public Builder hintStores(BiFunction<NodeId, HintStore, HintStore> wrap) {
            this.hintStores = wrap;
            return this;
        }

        /** The ring the cluster starts with, when it is not the config's ring of every node. */
        public Builder initialRing(Function<ClusterConfig, Ring> initialRing) {
            this.initialRing = initialRing;
            return this;
        }

        public SimCluster start() {
            return new SimCluster(seed, config.build(), network, hintStores, initialRing);
        }
    }
}
