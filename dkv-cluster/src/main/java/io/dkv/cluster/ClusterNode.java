package io.dkv.cluster;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.cluster.config.FailureDetectionConfig;
import io.dkv.cluster.config.HandoffConfig;
import io.dkv.cluster.config.RepairConfig;
import io.dkv.cluster.coordinator.Coordinator;
import io.dkv.cluster.coordinator.ReplicaInspector;
import io.dkv.cluster.coordinator.ReplicaView;
import io.dkv.cluster.coordinator.Router;
import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.cluster.handoff.HintRedirector;
import io.dkv.cluster.keyspace.KeyCounter;
import io.dkv.cluster.keyspace.KeyspaceScanner;
import io.dkv.cluster.keyspace.ScanPage;
import io.dkv.cluster.handoff.HintedHandoff;
import io.dkv.cluster.membership.LivenessView;
import io.dkv.cluster.membership.Membership;
import io.dkv.cluster.membership.PeerState;
import io.dkv.cluster.membership.PeerStatus;
import io.dkv.cluster.membership.register.Committed;
import io.dkv.cluster.membership.register.MemoryRingRegisterStore;
import io.dkv.cluster.membership.register.RegisterTimings;
import io.dkv.cluster.membership.register.RingRegister;
import io.dkv.cluster.membership.register.RingRegisterStore;
import io.dkv.cluster.rebalance.ChangeProgress;
import io.dkv.cluster.rebalance.EpochFence;
import io.dkv.cluster.rebalance.PartitionDropper;
import io.dkv.cluster.rebalance.Rebalancer;
import io.dkv.cluster.rebalance.RegisterPublisher;
import io.dkv.cluster.rebalance.RingChange;
import io.dkv.cluster.rebalance.RingHolder;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.cluster.rebalance.RingStateCodec;
import io.dkv.cluster.rebalance.StalledChangeFinisher;
import io.dkv.cluster.repair.AntiEntropy;
import io.dkv.cluster.repair.ByteBudget;
import io.dkv.cluster.repair.MerkleTrackingStorage;
import io.dkv.cluster.repair.MerkleTreeBuilder;
import io.dkv.cluster.repair.MerkleTrees;
import io.dkv.cluster.repair.TombstoneCollector;
import io.dkv.cluster.replica.ErrorReplies;
import io.dkv.cluster.metrics.NodeCounters;
import io.dkv.cluster.metrics.RequestCounters;
import io.dkv.cluster.replica.LocalReplica;
import io.dkv.cluster.replica.ReplicaEndpoints;
import io.dkv.cluster.repair.Recovery;
import io.dkv.cluster.runtime.Cancellable;
import io.dkv.cluster.runtime.MessageHandler;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.cluster.streaming.PartitionStream;
import io.dkv.cluster.streaming.StreamResponder;
import io.dkv.cluster.handoff.HintStore;
import io.dkv.cluster.truncate.FlushCoordinator;
import io.dkv.cluster.truncate.MemoryTruncationMarkStore;
import io.dkv.cluster.truncate.TruncatingHintStore;
import io.dkv.cluster.truncate.TruncatingStorage;
import io.dkv.cluster.truncate.TruncationDropper;
import io.dkv.cluster.truncate.TruncationGate;
import io.dkv.cluster.truncate.TruncationMarkStore;
import io.dkv.cluster.truncate.TruncationRegister;
import io.dkv.cluster.truncate.TruncationReplica;
import io.dkv.core.TruncationMark;
import io.dkv.core.message.TruncateRequest;
import io.dkv.core.Consistency;
import io.dkv.core.DkvException;
import io.dkv.core.Entry;
import io.dkv.core.WrongTypeException;
import io.dkv.core.hash.KeyType;
import io.dkv.core.NodeId;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.Gossip;
import io.dkv.core.message.KeyDigests;
import io.dkv.core.message.KeyCountRequest;
import io.dkv.core.message.KeyScanRequest;
import io.dkv.core.message.MerkleRootRequest;
import io.dkv.core.message.MerkleRootsRequest;
import io.dkv.core.message.Message;
import io.dkv.core.message.NodeLoad;
import io.dkv.core.message.ReadRequest;
import io.dkv.core.message.MoveStatus;
import io.dkv.core.message.MoveStatusRequest;
import io.dkv.core.message.StreamRequest;
import io.dkv.core.message.RingMessage;
import io.dkv.core.message.TombstoneCheck;
import io.dkv.core.message.WriteRequest;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.StorageEngine;
import io.dkv.core.version.HybridLogicalClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One dkv node: coordinates the client requests it receives, serves as a replica for its
 * peers, and runs the background duties that keep replicas in step: gossip and failure
 * detection, hint replay, anti-entropy and tombstone collection. The public methods are
 * the node's client API; the server puts the Redis protocol in front of them, the
 * simulator calls them directly. A node serves from the moment it starts: the hash trees
 * of what it already holds are built in the background ({@link MerkleTreeBuilder}).
 *
 * <p>Thread-safe: client methods may be called from any thread. Background duties run on
 * the node's scheduler.
 */
public final class ClusterNode implements MessageHandler {

    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

    private final NodeContext context;
    /**
     * The ring the node started with: its partition count, and the placement before any ring
     * state is installed. Everything that depends on placement follows {@link #rings}.
     */
    private final Ring ring;
    /** The ring in force, by epoch: what requests are routed and fenced by. */
    private final RingHolder rings;
    private final MerkleTrackingStorage storage;
    private final HybridLogicalClock clock;
    private final NodeCounters metrics = new NodeCounters();
    private final RequestCounters requests = new RequestCounters();
    private final Membership membership;
    private final LivenessView liveness;
    private final HintedHandoff handoff;
    private final Recovery recovery;
    private final NodeStatus status;
    private final LocalReplica replica;
    private final Coordinator coordinator;
    private final ReplicaInspector inspector;
    private final KeyspaceScanner keyspace;
    private final KeyCounter keyCounter;
    private final AntiEntropy antiEntropy;
    private final TombstoneCollector tombstones;
    private final MerkleTreeBuilder treeBuilder;
    private final StreamResponder streamResponder;
    private final Rebalancer rebalancer;
    private final PartitionDropper dropper;
    private final StalledChangeFinisher stalledChanges;
    private final ChangeProgress changeProgress;
    private final HintRedirector hintRedirector;
    private final ByteBudget streamBudget;
    private final RingRegister ringRegister;
    private final List<Cancellable> duties = new ArrayList<>();
    /** The FLUSHALL mark: what it hides, taking it, waiting for it after a restart, running a flush. */
    private final TruncationRegister marks;
    private final StorageEngine visible;
    private final TruncationReplica truncation;
    private final TruncationGate gate;
    private final FlushCoordinator flusher;

    public ClusterNode(NodeContext context) {
        this(context, context.config().buildRing());
    }

    /** Builds a node around a ring already built from the same config (rings are immutable and shareable). */
    public ClusterNode(NodeContext context, Ring ring) {
        this(context, ring, new MemoryRingRegisterStore());
    }

    /**
     * Builds a node whose ring-epoch votes are kept in {@code ringStore} (durable in a server,
     * surviving a simulated crash in the simulator).
     */
    public ClusterNode(NodeContext context, Ring genesis, RingRegisterStore ringStore) {
        this(context, genesis, ringStore, new MemoryTruncationMarkStore());
    }

    /**
     * Builds a node whose ring-epoch votes are kept in {@code ringStore} and whose truncation
     * mark (FLUSHALL) in {@code markStore}: both durable in a server with a data directory,
     * both surviving a simulated crash in the simulator.
     */
    public ClusterNode(NodeContext context, Ring genesis, RingRegisterStore ringStore, TruncationMarkStore markStore) {
        ClusterConfig config = context.config();
        this.marks = new TruncationRegister(markStore);
        this.context = context;
        // The ring comes from the epoch register: the configured one for a new cluster, the
        // newest this node committed or learnt for one whose ring has changed since.
        this.ringRegister = new RingRegister(new RingRegister.Parts(context.self(),
                new Committed(1, encodedGenesis(genesis)), RingStateCodec::members, ringStore,
                context.transport(), context.scheduler(), context.clock(), context.random(),
                RegisterTimings.forRequestTimeout(config.replicaTimeoutMillis())));
        // Nodes still at the genesis share its Ring (a simulated cluster of 1000 nodes would
        // otherwise hold 1000 copies of a 4096-partition placement).
        RingState startState = ringRegister.current().epoch() == 1 ? RingState.initial(genesis)
                : RingStateCodec.decode(ringRegister.current().value());
        this.ring = startState.current();
        Ring ring = this.ring;
        // The ring moves, so a store that holds anything may hold entries of any partition
        // (gained in a change, or not dropped yet): every tree is built from a scan before it
        // is compared or dropped by. An empty store's trees are built (empty) from the start,
        // and every change after that reaches them through this storage, streaming included.
        int[] mayHold = holdsAnything(context.storage()) ? allPartitions(ring.partitionCount()) : new int[0];
        this.storage = new MerkleTrackingStorage(context.storage(), MerkleTrees.unbuilt(ring.partitionCount(), mayHold));
        // Everything that reads or writes entries goes through the flush mark; the trees below
        // it count what the engine holds until the dropper removes what the mark hides.
        TruncatingStorage truncating = new TruncatingStorage(storage, marks);
        this.visible = truncating;
        HintStore hintStore = new TruncatingHintStore(context.hints(), marks);
        this.treeBuilder = new MerkleTreeBuilder(context.self(), storage, mayHold, context.scanScheduler(),
                context.clock());
        this.clock = new HybridLogicalClock(context.clock()::wallMillis, config.maxClockSkewMillis(), context.lease());
        this.truncation = new TruncationReplica(context.self(), marks,
                new TruncationDropper(storage, ring.partitionCount(), context.scanScheduler(), truncating::dropped), clock,
                context.scheduler(), FlushCoordinator.syncWaitMillis(config.replicaTimeoutMillis()));
        this.recovery = context.recovering() ? Recovery.recovering(context.self(), ring) : Recovery.ready(context.self());
        FailureDetectionConfig detection = config.failureDetection();
        this.membership = detection.enabled()
                ? new Membership(context.self(), config.nodes(), detection, context.clock(), context.transport(),
                        context.random(), metrics.peersMarkedDown, this::load)
                : null;
        this.liveness = membership != null ? membership : LivenessView.ALL_UP;
        if (membership != null) {
            membership.ringEpochs(() -> ringRegister.current().epoch(), ringRegister::onEpochSeen);
        }
        // A node that may hold entries, or has flushed before, may have missed a flush while down.
        boolean mayHaveMissedFlush = context.recovering() || mayHold.length > 0 || !marks.current().isNone();
        this.gate = new TruncationGate(new TruncationGate.Parts(context.self(), this::ringMembers, truncation,
                context.transport(), context.scheduler(), config.replicaTimeoutMillis()), mayHaveMissedFlush);
        this.flusher = new FlushCoordinator(new FlushCoordinator.Parts(context.self(), truncation, clock,
                this::ringMembers, liveness, context.transport(), context.scheduler(), context.clock(),
                config.replicaTimeoutMillis()));
        if (membership != null) {
            membership.truncationMarks(() -> marks.current().stamp(), gate::heard);
        }
        HandoffConfig hints = config.handoff();
        this.rings = new RingHolder(startState, context.scheduler());
        ringRegister.onInstalled(committed -> rings.install(RingStateCodec.decode(committed.value())));
        this.handoff = new HintedHandoff(context.self(), hints, hintStore,
                context.transport(), liveness, context.clock(), config.replicaTimeoutMillis(), metrics,
                node -> rings.state().allNodes().contains(node));
        this.replica = new LocalReplica(context.self(), ring.partitionCount(), visible, clock,
                context.clock(), config.repair().tombstoneGraceMillis(), handoff, recovery, metrics,
                new EpochFence(context.self(), rings));
        ReplicaEndpoints endpoints = new ReplicaEndpoints(context.self(), replica, context.transport(),
                config.replicaTimeoutMillis(), marks::visible);
        Router router = new Router(liveness, hints.enabled());
        this.coordinator = new Coordinator(new Coordinator.Parts(context.self(), config, rings, router, endpoints,
                clock, context.random(), handoff, metrics, context.clock(), context.scheduler()));
        this.keyCounter = new KeyCounter(rings, router, endpoints, context.scanScheduler());
        this.keyspace = new KeyspaceScanner(config, rings, router, endpoints, context.scanScheduler(), this::isLive,
                context.random(), keyCounter);
        this.inspector = new ReplicaInspector(() -> rings.state().current(), endpoints, liveness);
        this.antiEntropy = new AntiEntropy(new AntiEntropy.Parts(context.self(), ring, config.repair(), visible,
                storage.trees(), context.transport(), liveness, context.random(), context.clock(),
                config.replicaTimeoutMillis(), config.maxMessageBytes(), metrics, replica, recovery));
        this.hintRedirector = new HintRedirector(context.self(), hintStore, rings::state, endpoints,
                hints.replayBatch(), metrics);
        this.status = new NodeStatus(context.self(), config, this::ring, storage, context.hints(), metrics, recovery,
                treeBuilder);
        this.tombstones = new TombstoneCollector(context.self(), rings::state, config.repair(), visible, context.transport(),
                context.clock(), config.replicaTimeoutMillis(), metrics);
        this.streamResponder = new StreamResponder(visible, ring.partitionCount(), context.scanScheduler(),
                streamChunkBytes(config), rings::epoch);
        this.streamBudget = new ByteBudget(context.clock(),
                config.streamBytesPerSecond() == 0 ? Long.MAX_VALUE / 4 : config.streamBytesPerSecond());
        this.rebalancer = new Rebalancer(context.self(), liveness, context.scheduler(), this::streamPartition);
        MerkleTrees trees = storage.trees();
        this.dropper = new PartitionDropper(new PartitionDropper.Parts(context.self(), rings, storage,
                partition -> !trees.isBuilt(partition) || trees.root(partition) != 0, this::clusterNodes, liveness,
                this::epochOf, context.scanScheduler(), metrics));
        this.stalledChanges = new StalledChangeFinisher(context.self(), rings, liveness, context.clock(),
                STALLED_CHANGE_MILLIS, () -> newRingChange(new RegisterPublisher(ringRegister)));
        this.changeProgress = new ChangeProgress(context.self(), rings, context.transport(), context.clock(),
                rebalancer::status, config.replicaTimeoutMillis());
        rings.onInstall(rebalancer::onInstall);
        rings.onInstall(this::learnAddresses);
        learnAddresses(rings.state());
        if (membership != null) {
            // Membership follows the ring on its own thread; it reads the state in force when
            // it gets there, so installs that race each other leave it on the newest.
            rings.onInstall(installed -> context.scheduler().execute(this::trackMembers));
        }
        // A node that restarts in the middle of a change takes up its part from the state it kept.
        rebalancer.onInstall(rings.state());
        // The repair duties follow it on the node's thread (see followRing).
        rings.onInstall(state -> context.scheduler().execute(this::followRing));
    }

    /**
     * Points the duties fixed on a placement at the ring state just installed: anti-entropy
     * and recovery compare the partitions this node holds copies of in it (tombstone
     * collection, hint replay and dropping read the state in force as they go). Runs on the
     * node's scheduler; states installed in quick succession may arrive here in any order,
     * so the newest in force is taken.
     */
    private void followRing() {
        RingState state = rings.state();
        if (state.epoch() > followedEpoch) {
            followedEpoch = state.epoch();
            antiEntropy.follow(state);
        }
    }

    /** The epoch {@link #followRing} last applied; touched on the scheduler thread only. */
    private long followedEpoch;

    private static boolean holdsAnything(StorageEngine storage) {
        return storage.keyCount() > 0 || storage.tombstoneCount() > 0 || storage.bytes() > 0;
    }

    private static int[] allPartitions(int count) {
        int[] all = new int[count];
        for (int partition = 0; partition < count; partition++) {
            all[partition] = partition;
        }
        return all;
    }

    /** Every node that may route requests: the configured nodes and those of the ring in force. */
    private Collection<NodeId> clusterNodes() {
        Set<NodeId> all = new LinkedHashSet<>(Ring.numberedNodes(context.config().nodes()));
        all.addAll(rings.state().allNodes());
        return all;
    }

    /** The ring epoch {@code node} routes by, as its move status reports it. */
    private CompletableFuture<Long> epochOf(NodeId node) {
        return context.transport().request(node, MoveStatusRequest.INSTANCE, context.config().replicaTimeoutMillis())
                .thenApply(reply -> {
                    if (reply instanceof MoveStatus status) {
                        return status.epoch();
                    }
                    throw new DkvException(node + " answered a move status request with " + reply);
                });
    }

    /** How often the node driving a ring change asks the nodes gaining partitions how far they are. */
    static final long RING_CHANGE_POLL_MILLIS = 500;

    /** {@code node} joins: it takes its share of partitions, copies them, then serves them. */
    public CompletableFuture<RingState> join(NodeId node) {
        return changeRing(() -> ring().withJoined(node), Map.of());
    }

    /**
     * {@code node}, which listens for peers at {@code address} ({@code host:port}), joins:
     * the address travels in the committed ring state, so every node learns it with the
     * change that makes the node a member.
     */
    public CompletableFuture<RingState> join(NodeId node, String address) {
        return changeRing(() -> ring().withJoined(node), Map.of(node, address));
    }

    private void learnAddresses(RingState state) {
        state.addresses().forEach(context.transport()::learnPeer);
    }

    /**
     * {@code node} leaves while it is up: its partitions are copied from it (and the other
     * replicas) to the nodes that take them over, then it holds nothing.
     */
    public CompletableFuture<RingState> decommission(NodeId node) {
        return changeRing(() -> ring().withoutNode(node), Map.of());
    }

    /**
     * {@code node}, which is down for good, is removed: its partitions are copied from the
     * surviving replicas to the nodes that take them over. Refused while it is up (that is
     * {@link #decommission}). During a change that {@code node} joins (a join or a
     * replacement whose new node died before it held its partitions), the change is
     * abandoned instead: the ring stays as it was before it.
     */
    public CompletableFuture<RingState> removeNode(NodeId node) {
        if (!node.equals(context.self()) && liveness.isUp(node)) {
            return CompletableFuture.failedFuture(new DkvException(node + " is up: decommission it instead of"
                    + " removing it (removal is for a node that is gone for good)"));
        }
        RingState state = rings.state();
        if (state.joining(node)) {
            if (node.equals(context.self())) {
                return CompletableFuture.failedFuture(new DkvException(node + " is joining: it cannot remove itself"));
            }
            return newRingChange(new RegisterPublisher(ringRegister)).abort(state);
        }
        return changeRing(() -> ring().withoutNode(node), Map.of());
    }

    /** {@code replacement}, a new node, takes over exactly the partitions of {@code old}, which is gone. */
    public CompletableFuture<RingState> replace(NodeId old, NodeId replacement) {
        return replace(old, replacement, null);
    }

    /** As {@link #replace(NodeId, NodeId)}, for a replacement that listens for peers at {@code address}. */
    public CompletableFuture<RingState> replace(NodeId old, NodeId replacement, String address) {
        if (liveness.isUp(old) && !old.equals(context.self())) {
            return CompletableFuture.failedFuture(new DkvException(old + " is up: decommission it, then join "
                    + replacement + " (replacing is for a node that is gone for good)"));
        }
        return changeRing(() -> ring().withReplaced(old, replacement),
                address == null ? Map.of() : Map.of(replacement, address));
    }

    private CompletableFuture<RingState> changeRing(Supplier<Ring> target, Map<NodeId, String> joined) {
        if (rings.state().moving()) {
            return CompletableFuture.failedFuture(new DkvException("a ring change is already under way (epoch "
                    + rings.epoch() + "); wait for it to finish"));
        }
        try {
            return newRingChange(new RegisterPublisher(ringRegister)).start(target.get(), joined);
        } catch (DkvException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private RingChange newRingChange(RingChange.Publisher publisher) {
        return new RingChange(context.self(), rings, publisher, context.transport(), context.scheduler(),
                rebalancer::status, RING_CHANGE_POLL_MILLIS, context.config().replicaTimeoutMillis());
    }

    /** Where every node that gains partitions in the ring change under way stands, asked now. */
    public CompletableFuture<ChangeProgress.Snapshot> changeProgress() {
        return changeProgress.ask();
    }

    /** Where this node stands in the ring change under way: partitions it gains and has copied. */
    public MoveStatus moveStatus() {
        return rebalancer.status();
    }

    /**
     * At most {@link #STREAM_CHUNK_BYTES}, below the frame limit, and at most a quarter of a
     * second's worth of the streaming rate, so that the rate holds over short streams too (the
     * budget is paid after each chunk). A chunk still carries one entry, however large.
     */
    private static int streamChunkBytes(ClusterConfig config) {
        long chunk = Math.min(STREAM_CHUNK_BYTES, config.maxMessageBytes() - ClusterConfig.MESSAGE_HEADROOM_BYTES);
        if (config.streamBytesPerSecond() > 0) {
            chunk = Math.min(chunk, config.streamBytesPerSecond() / 4);
        }
        return (int) Math.max(1024, chunk);
    }

    /** Big enough that per-request costs vanish, small enough not to hold a connection for long. */
    static final int STREAM_CHUNK_BYTES = 1 << 20;

    /** How many silent chunk requests in a row end a stream. */
    private static final int STREAM_MAX_ATTEMPTS = 8;

    /**
     * Copies one partition from {@code source} into this node's store (the snapshot half of
     * streaming, see {@link PartitionStream}), throttled by {@code stream-bytes-per-second}.
     */
    public PartitionStream streamPartition(NodeId source, int partition) {
        return streamPartition(source, partition, rings.epoch());
    }

    /** As {@link #streamPartition(NodeId, int)}, for the ring change of {@code epoch}: the source answers once it knows that epoch. */
    public PartitionStream streamPartition(NodeId source, int partition, long epoch) {
        if (partition < 0 || partition >= ring.partitionCount()) {
            throw new IllegalArgumentException("partition " + partition + " is not in 0.." + (ring.partitionCount() - 1));
        }
        ClusterConfig config = context.config();
        PartitionStream stream = PartitionStream.start(new PartitionStream.Parts(visible, context.transport(),
                context.scanScheduler(), context.clock(), streamBudget, streamChunkBytes(config),
                config.replicaTimeoutMillis() * 5, STREAM_MAX_ATTEMPTS), source, partition, epoch);
        stream.result().thenAccept(done -> {
            metrics.streamedPartitions.increment();
            metrics.streamedBytes.add(done.bytes());
        });
        return stream;
    }

    /** The genesis ring's encoding, shared by the nodes of one JVM that start from the same ring. */
    private static final Map<Ring, byte[]> ENCODED_GENESIS = Collections.synchronizedMap(new WeakHashMap<>());

    private static byte[] encodedGenesis(Ring genesis) {
        return ENCODED_GENESIS.computeIfAbsent(genesis, ring -> RingStateCodec.encode(RingState.initial(ring)));
    }

    /** Tells membership which nodes the ring in force names (on the scheduler thread). */
    private void trackMembers() {
        membership.track(rings.state().allNodes());
    }

    /** Connects the node to its transport and starts its background duties. */
    public void start() {
        ClusterConfig config = context.config();
        if (membership != null) {
            membership.onPeerUp(handoff::replayTo);
        }
        context.transport().bind(this);
        gate.start();
        treeBuilder.start();
        context.scheduler().execute(this::followRing);
        if (membership != null) {
            long interval = config.failureDetection().gossipIntervalMillis();
            context.scheduler().execute(membership::start);
            context.scheduler().execute(this::trackMembers);
            every(jitter(interval), interval, "gossip", membership::gossipRound);
            long evaluation = Math.max(1, interval / 10);
            every(evaluation, evaluation, "failure detection", membership::evaluate);
        }
        if (config.handoff().enabled()) {
            long interval = config.handoff().replayIntervalMillis();
            every(jitter(interval), interval, "hint replay", () -> {
                handoff.replayRound();
                hintRedirector.round();
            });
        }
        // No jitter: a random draw here would shift every duty scheduled after it.
        every(DROP_INTERVAL_MILLIS, DROP_INTERVAL_MILLIS, "partition drop", dropper::round);
        every(STALLED_CHANGE_CHECK_MILLIS, STALLED_CHANGE_CHECK_MILLIS, "stalled ring change", stalledChanges::round);
        if (context.lease().durable()) {
            long renewal = Math.max(1, config.maxClockSkewMillis() / 4);
            every(renewal, renewal, "clock lease", clock::renewLease);
        }
        every(1_000, 1_000, "request statistics", () -> requests.sample(context.clock().monotonicNanos()));
        RepairConfig repair = config.repair();
        if (repair.antiEntropyEnabled()) {
            every(jitter(repair.antiEntropyIntervalMillis()), repair.antiEntropyIntervalMillis(), "anti-entropy",
                    antiEntropy::round);
        }
        if (recovery.isRecovering()) {
            // Recovery needs its comparisons even with periodic anti-entropy off.
            every(RECOVERY_INTERVAL_MILLIS, RECOVERY_INTERVAL_MILLIS, "recovery", antiEntropy::recoveryRound);
            log.info("{} starts recovering: it may lack data, so it does not count toward quorums until it has"
                    + " compared {} partition copies with the other replicas", context.self(), recovery.pendingComparisons());
        }
        every(jitter(repair.tombstoneSweepIntervalMillis()), repair.tombstoneSweepIntervalMillis(), "tombstone sweep",
                tombstones::sweep);
    }

    /**
     * How long a ring change may stay under way before the lowest live member takes over
     * driving it (its driver may have died). Taking over a change whose driver is alive is
     * harmless, only redundant, so this is short next to a large copy.
     */
    static final long STALLED_CHANGE_MILLIS = 10_000;

    /** How often the node looks whether a ring change has stalled. */
    static final long STALLED_CHANGE_CHECK_MILLIS = 1_000;

    /** How often the node looks for partitions it no longer replicates and may drop. */
    static final long DROP_INTERVAL_MILLIS = 2_000;

    /** How often a recovering node starts the comparisons it owes. */
    static final long RECOVERY_INTERVAL_MILLIS = 50;

    /**
     * Schedules a periodic duty that survives its own failures: a duty that throws is
     * logged and counted, and runs again next period (a scheduler drops a repeating task
     * that throws, and a node whose gossip stopped would be marked down for good while it
     * keeps serving).
     */
    private void every(long initialDelayMillis, long periodMillis, String name, Runnable duty) {
        duties.add(context.scheduler().scheduleAtFixedRate(initialDelayMillis, periodMillis, () -> {
            try {
                duty.run();
            } catch (RuntimeException | Error e) {
                metrics.dutyFailures.increment();
                long now = context.clock().monotonicMillis();
                if (now - lastDutyFailureLogMillis >= DUTY_FAILURE_LOG_INTERVAL_MILLIS) {
                    lastDutyFailureLogMillis = now;
                    log.error("{}: {} failed ({} duty failures so far); it runs again next period", context.self(), name,
                            metrics.dutyFailures.sum(), e);
                }
                if (e instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
            }
        }));
    }

    private static final long DUTY_FAILURE_LOG_INTERVAL_MILLIS = 10_000;
    private volatile long lastDutyFailureLogMillis = Long.MIN_VALUE;

    /** Stops the background duties (the transport is closed by whoever owns it). */
    public void stop() {
        gate.stop();
        treeBuilder.stop();
        duties.forEach(Cancellable::cancel);
        duties.clear();
    }

    public NodeId id() {
        return context.self();
    }

    public ClusterConfig config() {
        return context.config();
    }

    /** The ring in force (the current placement of the newest epoch this node knows). */
    public Ring ring() {
        return rings.state().current();
    }

    /** The node's ring state by epoch; a ring change installs its states here. */
    public RingHolder rings() {
        return rings;
    }

    /**
     * The ring's epochs as this node knows them: the newest committed ring, proposals of the
     * next one, and a callback when a newer one is installed.
     */
    public RingRegister ringRegister() {
        return ringRegister;
    }

    /** This node's storage (with its hash trees kept current); for tests in the same JVM, displays use {@link #status()}. */
    public StorageEngine storage() {
        return storage;
    }

    /** The node's counters; for tests in the same JVM, displays use {@link #status()}. */
    public NodeCounters metrics() {
        return metrics;
    }

    /** The node's hinted handoff; for tests in the same JVM, displays use {@link #status()}. */
    public HintedHandoff handoff() {
        return handoff;
    }

    /** Stores {@code value} under {@code key} once {@code consistency} replicas acknowledged. */
    public CompletableFuture<WriteResult> put(byte[] key, byte[] value, Consistency consistency) {
        return gate.guard(() -> coordinator.put(key, value, consistency));
    }

    public CompletableFuture<WriteResult> put(byte[] key, byte[] value) {
        return put(key, value, context.config().writeConsistency());
    }

    /** Stores {@code value} with an expiry (epoch milliseconds) in one write of both registers. */
    public CompletableFuture<WriteResult> putExpiring(byte[] key, byte[] value, long expiresAtMillis,
                                                      Consistency consistency) {
        return coordinator.putExpiring(key, value, expiresAtMillis, consistency);
    }

    /** Stores {@code value} without touching the key's expiry register (SET KEEPTTL). */
    public CompletableFuture<WriteResult> putKeepingExpiry(byte[] key, byte[] value, Consistency consistency) {
        return coordinator.putKeepingExpiry(key, value, consistency);
    }

    /**
     * Writes the key's expiry register alone: epoch milliseconds, or {@code Expiry.NEVER} to
     * remove the expiry. A blind write: it does not check that the key exists.
     */
    public CompletableFuture<WriteResult> setExpiry(byte[] key, long expiresAtMillis, Consistency consistency) {
        return coordinator.setExpiry(key, expiresAtMillis, consistency);
    }

    /** This node's wall clock (the simulator's virtual time there): what expiry is computed from and judged by. */
    public long wallMillis() {
        return coordinator.wallMillis();
    }

    /**
     * The key's value, or {@code null} when it is absent or deleted; fails with
     * {@link WrongTypeException} when the key holds a hash.
     */
    public CompletableFuture<byte[]> get(byte[] key, Consistency consistency) {
        return gate.guard(() -> coordinator.read(key, consistency)).thenApply(this::stringOf);
    }

    /** The string value {@code entry} shows a client, {@code null} when it shows none; throws {@link WrongTypeException} for a hash. */
    public byte[] stringOf(Entry entry) {
        if (!isLive(entry)) {
            return null;
        }
        if (entry.type() == KeyType.HASH) {
            throw new WrongTypeException();
        }
        return entry.value();
    }

    /** What a key whose newest entry is {@code entry} holds for a client now (expired or flushed: none). */
    public KeyType typeOf(Entry entry) {
        return isLive(entry) ? entry.type() : KeyType.NONE;
    }

    /**
     * Writes hash fields alone ({@code null} values: tombstones, HDEL), or with
     * {@code replacing} a new hash in place of an expired key
     * ({@link io.dkv.cluster.coordinator.Coordinator#writeFields}). A blind write: reading
     * first, for WRONGTYPE and the counts Redis answers, is the caller's.
     */
    public CompletableFuture<WriteResult> writeFields(byte[] key, Map<byte[], byte[]> fields, boolean replacing,
                                                      Consistency consistency) {
        return gate.guard(() -> coordinator.writeFields(key, fields, replacing, consistency));
    }

    public CompletableFuture<byte[]> get(byte[] key) {
        return get(key, context.config().readConsistency());
    }

    /**
     * The newest entry among the answers (value or tombstone, with its registers' versions),
     * or {@code null}; an expired entry comes back as a tombstone.
     */
    public CompletableFuture<Entry> read(byte[] key, Consistency consistency) {
        return gate.guard(() -> coordinator.read(key, consistency));
    }

    /** Writes a tombstone for {@code key}; the result tells whether a replica had a value. */
    public CompletableFuture<WriteResult> delete(byte[] key, Consistency consistency) {
        return gate.guard(() -> coordinator.delete(key, consistency));
    }

    public CompletableFuture<WriteResult> delete(byte[] key) {
        return delete(key, context.config().writeConsistency());
    }

    /**
     * Whether a key whose newest entry is {@code entry} exists: the one rule every command
     * that asks "is this key there?" follows (EXISTS, TYPE, SCAN, KEYS...).
     */
    public boolean isLive(Entry entry) {
        return entry != null && entry.liveAt(context.clock().wallMillis()) && !marks.current().hides(entry);
    }

    /**
     * One step of a cluster-wide key scan from {@code cursor} (0 to start): live keys read
     * from a quorum of each partition's replicas; fails when a partition has too few replicas
     * up, so that the caller can retry with the same cursor.
     */
    public CompletableFuture<ScanPage> scan(long cursor, int count) {
        return gate.guard(() -> keyspace.page(cursor, count));
    }

    /** Every live key of the cluster, a batch at a time; a sink that throws stops the scan with that failure. */
    public CompletableFuture<Void> forEachKey(Consumer<List<byte[]>> sink) {
        return gate.guard(() -> keyspace.forEachKey(sink));
    }

    /** How many live keys the cluster holds, by a full scan: exact when no writes run meanwhile. */
    public CompletableFuture<Long> countKeys() {
        return gate.guard(() -> keyspace.count());
    }

    /**
     * DBSIZE: how many keys the cluster holds, estimated from each partition's replica counts
     * without reading a key (one message per node); see {@link KeyCounter} for what it may
     * miscount. {@link #countKeys()} is the exact, scanning count.
     */
    public CompletableFuture<Long> estimateKeys() {
        return gate.guard(() -> keyCounter.count());
    }

    /** A live key, drawn close to uniformly ({@link KeyspaceScanner#randomKey}), or {@code null} when the cluster holds none. */
    public CompletableFuture<byte[]> randomKey() {
        return gate.guard(() -> keyspace.randomKey());
    }

    /**
     * FLUSHALL: removes every key of the cluster by a truncation mark. Completes once every
     * member this node sees up holds the mark, a majority does, and no node whose clock is
     * within the skew bound can stamp a write below it any more ({@link FlushCoordinator}).
     *
     * @param sync whether every node drops the hidden entries before it acknowledges
     */
    public CompletableFuture<TruncationMark> flushAll(boolean sync) {
        return gate.guard(() -> flusher.flushAll(sync));
    }

    /** The newest truncation mark this node holds ({@link TruncationMark#NONE} before any flush). */
    public TruncationMark truncationMark() {
        return marks.current();
    }

    /** Whether this node has learnt the newest truncation mark and serves client commands. */
    public boolean servesClients() {
        return gate.isOpen();
    }

    /** The members of the ring in force. */
    private Collection<NodeId> ringMembers() {
        return rings.state().allNodes();
    }

    /** What each of the key's replicas holds (asked directly, repairing nothing). */
    public CompletableFuture<List<ReplicaView>> inspect(byte[] key) {
        return inspector.inspect(key);
    }

    /** The read-only view status displays use. */
    public NodeStatus status() {
        return status;
    }

    /** Whether this node may lack data and so does not count toward quorums yet. */
    public boolean isRecovering() {
        return recovery.isRecovering();
    }

    /** Whether this node believes {@code node} is up. */
    public boolean isUp(NodeId node) {
        return node.equals(context.self()) || liveness.isUp(node);
    }

    /**
     * Every node's state as this node sees it (state, phi, last heartbeat), computed on the
     * node's own thread. Without failure detection every peer is reported up.
     */
    public CompletableFuture<List<PeerStatus>> peerStatuses() {
        CompletableFuture<List<PeerStatus>> result = new CompletableFuture<>();
        if (membership == null) {
            List<PeerStatus> all = new ArrayList<>();
            for (NodeId node : rings.state().allNodes()) {
                all.add(new PeerStatus(node, PeerState.UP, 0, -1, 0, 0,
                        node.equals(context.self()) ? load() : NodeLoad.NONE));
            }
            result.complete(all);
        } else {
            context.scheduler().execute(() -> result.complete(membership.statuses()));
        }
        return result;
    }

    /** This node's own stored entry for a key, without asking anyone. */
    public Entry localEntry(byte[] key) {
        return visible.get(ring().partitionOf(key), key);
    }

    @Override
    public void onRequest(NodeId from, Message request, Consumer<Message> reply) {
        Message response;
        try {
            if (request instanceof WriteRequest || request instanceof ReadRequest) {
                // A write is answered once it is durable, which may be later and on another thread.
                replica.answer(request, reply);
                return;
            } else if (request instanceof KeyScanRequest || request instanceof KeyCountRequest) {
                // A scan reads storage for a while: off the transport's thread.
                context.scanScheduler().execute(() -> replica.answer(request, reply));
                return;
            } else if (request instanceof TruncateRequest truncate) {
                truncation.answer(truncate, reply);
                return;
            } else if (request instanceof MoveStatusRequest) {
                response = rebalancer.status();
            } else if (request instanceof StreamRequest stream) {
                streamResponder.onRequest(stream, reply);
                return;
            } else if (request instanceof MerkleRootsRequest roots) {
                response = antiEntropy.responder().onRootsRequest(roots);
            } else if (request instanceof RingMessage ringRequest) {
                ringRegister.onRequest(from, ringRequest, reply);
                return;
            } else if (request instanceof MerkleRootRequest root) {
                response = antiEntropy.responder().onRootRequest(root);
            } else if (request instanceof KeyDigests digests) {
                response = antiEntropy.responder().onKeyDigests(digests);
            } else if (request instanceof TombstoneCheck check) {
                response = tombstones.onCheck(check);
            } else {
                response = new ErrorReply("unknown request " + request.getClass().getSimpleName());
            }
        } catch (DkvException e) {
            response = ErrorReplies.of(e);
        } catch (RuntimeException e) {
            log.error("{} failed to handle {} from {}", context.self(), request.getClass().getSimpleName(), from, e);
            response = new ErrorReply("internal error: " + e);
        }
        reply.accept(response);
    }

    @Override
    public void onMessage(NodeId from, Message message) {
        if (message instanceof Gossip gossip && membership != null) {
            context.scheduler().execute(() -> membership.onGossip(from, gossip));
        } else if (message instanceof RingMessage ringMessage) {
            ringRegister.onMessage(from, ringMessage);
        } else if (!(message instanceof Gossip)) {
            log.warn("{} ignored unexpected one-way {} from {}", context.self(), message.getClass().getSimpleName(), from);
        }
    }

    /** This node's headline figures: request rate and p99 of the last interval, keys, hints. */
    public NodeLoad load() {
        return new NodeLoad(requests.opsPerSecond(), requests.p99Micros(), storage.keyCount(), handoff.store().count(),
                recovery.isRecovering());
    }

    /**
     * Records how long a client request this node coordinated took, for its headline figures
     * ({@link #load}). The client protocol's dispatch times each command once and reports it
     * here, so the node does not read the clock around every request a second time.
     */
    public void recordClientRequest(long nanos) {
        requests.record(nanos);
    }

    /** A random first delay up to one period, so nodes started together do not act in lockstep. */
    private long jitter(long periodMillis) {
        return 1 + context.random().nextLong(Math.max(1, periodMillis));
    }
}
