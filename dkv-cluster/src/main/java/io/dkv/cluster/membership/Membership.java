package io.dkv.cluster.membership;

import io.dkv.cluster.config.FailureDetectionConfig;
import io.dkv.cluster.runtime.Clock;
import io.dkv.cluster.runtime.Transport;
import io.dkv.core.NodeId;
import io.dkv.core.message.Gossip;
import io.dkv.core.message.NodeLoad;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;
import java.util.function.ObjLongConsumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Who is up, as this node sees it: gossiped heartbeats in, phi-accrual suspicion out.
 *
 * <p>Every interval the node counts one more heartbeat of its own and sends everything it
 * knows (each node's generation and heartbeat counter, and how long ago that heartbeat was
 * counted) to {@code fanout} random peers, which answer with whatever they know better
 * (push-pull). A peer's heartbeat "arrives" when its counter is seen to advance, by
 * whatever path, and is dated back by its age: so the detector sees the origin's own
 * rhythm, not the jitter of the gossip paths. A phi-accrual detector per peer turns those
 * times into suspicion; past the threshold the peer is marked down. Dissemination delay
 * itself is covered by the acceptable pause, and a peer that turns suspect is gossiped to
 * directly, so a slow path through a large cluster cannot condemn a live node.
 * Messages per node per interval are 2 x fanout whatever the cluster size; their size grows
 * with it, as in Cassandra's gossip.
 *
 * <p>Which nodes it follows: the members of the ring in force (current and, during a change,
 * next; see {@link #track}) and every node it has heard of by gossip, including nodes numbered
 * beyond those the cluster started with. Only ring members are gossiped to (rounds, targeted
 * rounds and probes), so a node that left the ring is no longer sent to, but it is still
 * answered when it gossips, and reported in {@link #statuses} (down once silent) for as long
 * as this node runs. A node never heard of and outside the ring is untracked: {@link #isUp}
 * calls it up, as it does a member still within its start-up grace (there is no evidence
 * against it yet), and a member nobody has heard from is marked down one grace period after
 * it entered the ring.
 *
 * <p>Threading: all mutable state is confined to the node's scheduler thread (gossip
 * arrives there through {@code Scheduler.execute}, ring changes through {@link #track}).
 * {@link #isUp} reads an immutable snapshot republished on every change, so routing on any
 * thread never blocks.
 */
public final class Membership implements LivenessView {

    private static final Logger log = LoggerFactory.getLogger(Membership.class);
    /** Probes start at this lateness (see {@link #lateness}); before it, targeted gossip rounds suffice. */
    private static final int PROBE_LATENESS = 2;
    /**
     * Gossip naming a higher node number is ignored: the per-node arrays are indexed by
     * number, and one bad entry must not make them huge. A ring may name any number.
     */
    static final int MAX_GOSSIPED_NODE_NUMBER = 1 << 16;

    private final NodeId self;
    private final int selfIndex;
    /** How many node numbers the arrays cover (n1..n{@code capacity}): the highest number met so far. */
    private int capacity;
    private final FailureDetectionConfig config;
    private final Clock clock;
    private final Transport transport;
    private final RandomGenerator random;
    private final Supplier<NodeLoad> ownLoad;
    // Per node, indexed by number - 1, grown when a higher number turns up (see grow).
    private long[] generation;
    private long[] heartbeat;
    private long[] aliveAtMillis;
    private NodeLoad[] loads;
    private PhiAccrualDetector[] detectors;
    private PeerState[] states;
    private int[] probedAtLateness;
    private long[] scratchGeneration;
    private long[] scratchHeartbeat;
    /** Members of the ring in force, and since when (for the start-up grace of a node that joins). */
    private boolean[] member;
    private long[] memberSinceMillis;
    /** The members other than this node: who gossip goes to. */
    private int[] targets;
    /** Copy-on-write: listeners may be added while gossip (on the scheduler thread) calls them. */
    private final List<Consumer<NodeId>> upListeners = new CopyOnWriteArrayList<>();
    private final LongAdder markedDown;
    private volatile boolean[] upSnapshot;
    private long startedAtMillis;
    private LongSupplier ringEpoch = () -> 0;
    private RingEpochListener ringEpochListener = (peer, epoch) -> { };
    private LongSupplier truncationMark = () -> 0;
    private ObjLongConsumer<NodeId> truncationListener = (peer, stamp) -> { };

    /**
     * @param nodes      how many nodes the cluster started with: n1..n{@code nodes} are the
     *                   ring members until {@link #track} says otherwise ({@code self} may be
     *                   beyond them: a node that joins later)
     * @param markedDown counts every time this node marks a peer down (for metrics and tests)
     * @param ownLoad    this node's headline figures, read once per gossip round
     */
    public Membership(NodeId self, int nodes, FailureDetectionConfig config, Clock clock, Transport transport,
                      RandomGenerator random, LongAdder markedDown,
                      Supplier<NodeLoad> ownLoad) {
        this.self = self;
        this.selfIndex = self.number() - 1;
        this.config = config;
        this.clock = clock;
        this.transport = transport;
        this.random = random;
        this.markedDown = markedDown;
        this.ownLoad = ownLoad;
        this.generation = new long[0];
        this.heartbeat = new long[0];
        this.aliveAtMillis = new long[0];
        this.loads = new NodeLoad[0];
        this.detectors = new PhiAccrualDetector[0];
        this.states = new PeerState[0];
        this.probedAtLateness = new int[0];
        this.scratchGeneration = new long[0];
        this.scratchHeartbeat = new long[0];
        this.member = new boolean[0];
        this.memberSinceMillis = new long[0];
        grow(Math.max(nodes, self.number()));
        Arrays.fill(member, 0, nodes, true);
        this.targets = targetsOf(member);
        publish();
    }

    /**
     * Follows the ring in force: its nodes ({@code ringNodes}, current and next) become the
     * members gossip goes to, and any of them not tracked yet is tracked from now on, with
     * a fresh start-up grace. A node that left the ring stays tracked if it was ever heard
     * from. Call on the scheduler thread, whenever a new ring state is installed.
     */
    public void track(Collection<NodeId> ringNodes) {
        int highest = 0;
        for (NodeId node : ringNodes) {
            highest = Math.max(highest, node.number());
        }
        if (highest > capacity) {
            grow(highest);
        }
        long now = clock.monotonicMillis();
        boolean[] members = new boolean[capacity];
        for (NodeId node : ringNodes) {
            int index = node.number() - 1;
            members[index] = true;
            if (!member[index] && index != selfIndex) {
                memberSinceMillis[index] = now;
                if (detectors[index] == null) {
                    states[index] = PeerState.UP;
                }
                log.debug("{} follows {}, which entered the ring", self, node);
            }
        }
        member = members;
        targets = targetsOf(members);
        publish();
    }

    /**
     * Widens the per-node arrays to cover n1..n{@code highest}. Existing entries (detectors
     * included) carry over; new nodes start unheard, up, and outside the ring.
     */
    private void grow(int highest) {
        int old = capacity;
        generation = Arrays.copyOf(generation, highest);
        heartbeat = Arrays.copyOf(heartbeat, highest);
        aliveAtMillis = Arrays.copyOf(aliveAtMillis, highest);
        loads = Arrays.copyOf(loads, highest);
        Arrays.fill(loads, old, highest, NodeLoad.NONE);
        detectors = Arrays.copyOf(detectors, highest);
        states = Arrays.copyOf(states, highest);
        Arrays.fill(states, old, highest, PeerState.UP);
        probedAtLateness = Arrays.copyOf(probedAtLateness, highest);
        scratchGeneration = Arrays.copyOf(scratchGeneration, highest);
        scratchHeartbeat = Arrays.copyOf(scratchHeartbeat, highest);
        member = Arrays.copyOf(member, highest);
        memberSinceMillis = Arrays.copyOf(memberSinceMillis, highest);
        capacity = highest;
    }

    private int[] targetsOf(boolean[] members) {
        int count = 0;
        for (int index = 0; index < members.length; index++) {
            if (members[index] && index != selfIndex) {
                count++;
            }
        }
        int[] chosen = new int[count];
        int i = 0;
        for (int index = 0; index < members.length; index++) {
            if (members[index] && index != selfIndex) {
                chosen[i++] = index;
            }
        }
        return chosen;
    }

    /** Whether this node follows the peer at {@code index}: a member of the ring in force, or heard from. */
    private boolean tracked(int index) {
        return member[index] || generation[index] != 0;
    }

    /** Called once, on the scheduler thread, before the first round. */
    public void start() {
        startedAtMillis = clock.monotonicMillis();
        generation[selfIndex] = Math.max(1, clock.wallMillis());
        heartbeat[selfIndex] = 0;
        aliveAtMillis[selfIndex] = startedAtMillis;
    }

    /**
     * Carries this node's committed ring epoch ({@code ownEpoch}, read per message) in its
     * gossip, and tells {@code listener} the epoch each peer's gossip carries. Call before
     * {@link #start}.
     */
    public void ringEpochs(LongSupplier ownEpoch, RingEpochListener listener) {
        this.ringEpoch = ownEpoch;
        this.ringEpochListener = listener;
    }

    /**
     * Carries this node's truncation mark ({@code ownMark}, read per message) in its gossip,
     * and tells {@code listener} the mark each peer's gossip carries (any, 0 included).
     * Call before {@link #start}.
     */
    public void truncationMarks(LongSupplier ownMark, ObjLongConsumer<NodeId> listener) {
        this.truncationMark = ownMark;
        this.truncationListener = listener;
    }

    /** Runs {@code listener} on the membership thread whenever a peer is seen up again. */
    public void onPeerUp(Consumer<NodeId> listener) {
        upListeners.add(listener);
    }

    /** Untracked nodes (never heard of, not in the ring in force) are up: see the class comment. */
    @Override
    public boolean isUp(NodeId node) {
        int index = node.number() - 1;
        boolean[] up = upSnapshot;
        return index == selfIndex || index >= up.length || up[index];
    }

    /** One gossip round: count a heartbeat, tell a few random members of the ring everything known. */
    public void gossipRound() {
        heartbeat[selfIndex]++;
        aliveAtMillis[selfIndex] = clock.monotonicMillis();
        loads[selfIndex] = ownLoad.get();
        if (targets.length == 0) {
            return;
        }
        Gossip full = snapshot();
        int fanout = Math.min(config.gossipFanout(), targets.length);
        int[] chosen = new int[fanout];
        int first = 0;
        int overdue = mostOverduePeer();
        if (overdue >= 0) {
            // One of the exchanges goes where news is most overdue; the rest are random.
            chosen[first++] = overdue;
            transport.send(NodeId.of(overdue + 1), full);
        }
        for (int i = first; i < fanout; i++) {
            int candidate;
            do {
                candidate = targets[random.nextInt(targets.length)];
            } while (contains(chosen, i, candidate));
            chosen[i] = candidate;
            transport.send(NodeId.of(candidate + 1), full);
        }
    }

    /** The member (not down) whose news is the most overdue, if it is within reach of being marked down; else -1. */
    private int mostOverduePeer() {
        long now = clock.monotonicMillis();
        long horizon = config.gossipIntervalMillis() * 12 / 10;
        int chosen = -1;
        long soonest = Long.MAX_VALUE;
        for (int index : targets) {
            PhiAccrualDetector detector = detectors[index];
            if (detector == null || states[index] == PeerState.DOWN) {
                continue;
            }
            long remaining = detector.millisUntilFailed(now);
            if (remaining <= horizon && remaining < soonest) {
                soonest = remaining;
                chosen = index;
            }
        }
        return chosen;
    }

    /**
     * Re-evaluates every peer's state from its detector; cheap, run several times per
     * interval. A peer that is getting close to being marked down is gossiped with directly:
     * first by steering one of the regular rounds to it (no extra message), then, 0.8 and
     * 0.4 intervals before it would be marked down, by an extra exchange each (see
     * {@link #lateness}). If it is alive, its answer carries its latest heartbeat, so a slow
     * path through a large cluster or a few lost messages do not turn into a false "down".
     * Only members of the ring are probed; a node that left it is just left to fall silent.
     */
    public void evaluate() {
        long now = clock.monotonicMillis();
        boolean changed = false;
        Gossip probe = null;
        for (int index = 0; index < capacity; index++) {
            if (index == selfIndex || !tracked(index)) {
                continue;
            }
            PeerState next = stateOf(index, now);
            int lateness = next == PeerState.DOWN || detectors[index] == null ? 0 : lateness(detectors[index], now);
            if (member[index] && lateness >= PROBE_LATENESS && lateness > probedAtLateness[index]) {
                probedAtLateness[index] = lateness;
                if (probe == null) {
                    probe = snapshot();
                }
                transport.send(NodeId.of(index + 1), probe);
            }
            if (next != states[index]) {
                changed = true;
                if (next == PeerState.DOWN) {
                    markedDown.increment();
                }
                logTransition(index, states[index], next, now);
                states[index] = next;
            }
        }
        if (changed) {
            publish();
        }
    }

    /**
     * Merges gossip from a peer; answers a push with what this node knows better. A node
     * numbered beyond the arrays (one that joined, or is about to) is tracked from now on.
     */
    public void onGossip(NodeId from, Gossip gossip) {
        if (gossip.ringEpoch() > 0) {
            ringEpochListener.epochSeen(from, gossip.ringEpoch());
        }
        truncationListener.accept(from, gossip.truncatedAt());
        int highest = 0;
        for (int number : gossip.nodes()) {
            if (number <= MAX_GOSSIPED_NODE_NUMBER) {
                highest = Math.max(highest, number);
            }
        }
        if (highest > capacity) {
            grow(highest);
            publish();
        }
        long now = clock.monotonicMillis();
        Arrays.fill(scratchGeneration, 0);
        Arrays.fill(scratchHeartbeat, 0);
        List<NodeId> cameUp = null;
        for (int i = 0; i < gossip.size(); i++) {
            int index = gossip.nodes()[i] - 1;
            if (index < 0 || index >= capacity) {
                continue;
            }
            long theirGeneration = gossip.generations()[i];
            long theirHeartbeat = gossip.heartbeats()[i];
            long age = Math.max(0, gossip.ages()[i]);
            long aliveAt = now - age;
            scratchGeneration[index] = theirGeneration;
            scratchHeartbeat[index] = theirHeartbeat;
            if (index == selfIndex) {
                if (theirGeneration > generation[selfIndex]) {
                    // A previous incarnation of this node had a later clock: stay ahead of it.
                    generation[selfIndex] = theirGeneration + 1;
                }
                continue;
            }
            if (!newer(theirGeneration, theirHeartbeat, generation[index], heartbeat[index])) {
                continue;
            }
            long advanced = theirHeartbeat - heartbeat[index];
            if (theirGeneration != generation[index] || detectors[index] == null) {
                detectors[index] = newDetector();
                advanced = 1;
            }
            generation[index] = theirGeneration;
            heartbeat[index] = theirHeartbeat;
            loads[index] = gossip.loads()[i];
            // Never move backwards: a newer heartbeat may reach us by a slower path.
            aliveAtMillis[index] = Math.max(aliveAt, detectors[index].lastArrivalMillis());
            probedAtLateness[index] = 0;
            detectors[index].heartbeats(aliveAtMillis[index], (int) Math.min(advanced, Integer.MAX_VALUE));
            if (states[index] == PeerState.DOWN) {
                if (cameUp == null) {
                    cameUp = new ArrayList<>();
                }
                cameUp.add(NodeId.of(index + 1));
            }
        }
        if (gossip.kind() == Gossip.Kind.PUSH) {
            // Always answered, even with nothing newer, so the load is exactly 2 x fanout.
            transport.send(from, deltaAgainstScratch());
        }
        if (cameUp != null) {
            for (NodeId node : cameUp) {
                int index = node.number() - 1;
                logTransition(index, states[index], PeerState.UP, now);
                states[index] = PeerState.UP;
            }
            publish();
            for (NodeId node : cameUp) {
                upListeners.forEach(listener -> listener.accept(node));
            }
        }
    }

    /**
     * The status of every node this node tracks (itself, the members of the ring in force,
     * and any node heard from), as this node sees it. Call on the membership thread.
     */
    public List<PeerStatus> statuses() {
        long now = clock.monotonicMillis();
        List<PeerStatus> statuses = new ArrayList<>(capacity);
        for (int index = 0; index < capacity; index++) {
            boolean isSelf = index == selfIndex;
            if (!isSelf && !tracked(index)) {
                continue;
            }
            PhiAccrualDetector detector = detectors[index];
            double phi = isSelf || detector == null ? 0 : detector.phi(now);
            long lastHeard = isSelf ? 0 : detector == null || !detector.hasHeartbeat() ? -1 : now - detector.lastArrivalMillis();
            statuses.add(new PeerStatus(NodeId.of(index + 1), isSelf ? PeerState.UP : states[index], phi, lastHeard,
                    generation[index], heartbeat[index], isSelf ? ownLoad.get() : loads[index]));
        }
        return statuses;
    }

    /**
     * 0 while the peer is on time; 1, 2, 3 as the moment it would be marked down comes
     * within 1.2, 0.8 and 0.4 gossip intervals: the three moments to probe it, spaced so
     * that each probe has time for a round trip before the next.
     */
    private int lateness(PhiAccrualDetector detector, long now) {
        long remaining = detector.millisUntilFailed(now);
        long interval = config.gossipIntervalMillis();
        return remaining <= interval * 4 / 10 ? 3 : remaining <= interval * 8 / 10 ? 2 : remaining <= interval * 12 / 10 ? 1 : 0;
    }

    private PeerState stateOf(int index, long now) {
        PhiAccrualDetector detector = detectors[index];
        if (detector == null || !detector.hasHeartbeat()) {
            long since = Math.max(startedAtMillis, memberSinceMillis[index]);
            return now - since > config.startupGraceMillis() ? PeerState.DOWN : PeerState.UP;
        }
        if (states[index] == PeerState.DOWN) {
            return PeerState.DOWN;
        }
        if (detector.isFailed(now)) {
            return PeerState.DOWN;
        }
        return detector.isSuspect(now) ? PeerState.SUSPECT : PeerState.UP;
    }

    private void logTransition(int index, PeerState from, PeerState to, long now) {
        NodeId node = NodeId.of(index + 1);
        PhiAccrualDetector detector = detectors[index];
        double phi = detector == null ? Double.POSITIVE_INFINITY : detector.phi(now);
        if (to == PeerState.DOWN) {
            log.warn("{} marks {} down (phi {}, last heard {} ms ago)", self, node, String.format("%.1f", phi),
                    detector == null ? "never" : String.valueOf(now - detector.lastArrivalMillis()));
        } else if (from == PeerState.DOWN) {
            log.info("{} sees {} up again", self, node);
        } else {
            log.debug("{} now considers {} {} (phi {})", self, node, to, String.format("%.1f", phi));
        }
    }

    private void publish() {
        boolean[] up = new boolean[capacity];
        for (int index = 0; index < capacity; index++) {
            up[index] = index == selfIndex || !tracked(index) || states[index] != PeerState.DOWN;
        }
        upSnapshot = up;
    }

    private PhiAccrualDetector newDetector() {
        return new PhiAccrualDetector(config.phiThreshold(), config.acceptablePauseMillis(),
                config.minStdDeviationMillis(), config.gossipIntervalMillis());
    }

    /** Everything this node knows, as a gossip push. */
    private Gossip snapshot() {
        return gossipOf(index -> generation[index] != 0, Gossip.Kind.PUSH);
    }

    /** The entries this node knows better than the gossip just merged (held in the scratch arrays). */
    private Gossip deltaAgainstScratch() {
        return gossipOf(index -> generation[index] != 0
                && newer(generation[index], heartbeat[index], scratchGeneration[index], scratchHeartbeat[index]),
                Gossip.Kind.REPLY);
    }

    /** A gossip message holding the entries of the nodes {@code include} accepts. */
    private Gossip gossipOf(IntPredicate include, Gossip.Kind kind) {
        int count = 0;
        for (int index = 0; index < capacity; index++) {
            if (include.test(index)) {
                count++;
            }
        }
        int[] ids = new int[count];
        long[] generations = new long[count];
        long[] heartbeats = new long[count];
        int[] ages = new int[count];
        NodeLoad[] entryLoads = new NodeLoad[count];
        long now = clock.monotonicMillis();
        int i = 0;
        for (int index = 0; index < capacity && i < count; index++) {
            if (include.test(index)) {
                ids[i] = index + 1;
                generations[i] = generation[index];
                heartbeats[i] = heartbeat[index];
                ages[i] = age(index, now);
                entryLoads[i] = loads[index];
                i++;
            }
        }
        return new Gossip(ids, generations, heartbeats, ages, entryLoads, kind, ringEpoch.getAsLong(),
                truncationMark.getAsLong());
    }

    /** How long ago the heartbeat we know for this node was counted at its origin. */
    private int age(int index, long now) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, now - aliveAtMillis[index]));
    }

    private static boolean newer(long generationA, long heartbeatA, long generationB, long heartbeatB) {
        return generationA > generationB || (generationA == generationB && heartbeatA > heartbeatB);
    }

    private static boolean contains(int[] values, int length, int value) {
        for (int i = 0; i < length; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }
}
