package io.dkv.testkit.sim;

import io.dkv.core.NodeId;
import io.dkv.core.message.Message;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The simulated network between nodes: each message takes a random latency (so messages
 * reorder), and may be dropped, duplicated or cut off by a partition. Decisions come from a
 * seeded random stream, so a run replays exactly.
 *
 * <p>Not thread-safe: driven by the simulation thread.
 */
public final class SimNetwork {

    private final Simulation simulation;
    private final SplittableRandom random;
    private final Map<NodeId, SimTransport> endpoints = new HashMap<>();
    private final Set<Long> blockedLinks = new HashSet<>();
    private final Map<NodeId, long[]> sentByNode = new HashMap<>();
    private final List<Consumer<Sent>> sendListeners = new ArrayList<>();
    private long minLatencyMillis = 1;
    private long maxLatencyMillis = 5;
    private double dropRate;
    private double duplicateRate;
    private long messagesSent;
    private long messagesDropped;

    SimNetwork(Simulation simulation) {
        this.simulation = simulation;
        this.random = simulation.splitRandom();
    }

    /** Each message takes between {@code min} and {@code max} milliseconds, uniformly. */
    public SimNetwork latency(long min, long max) {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException("latency needs 0 <= min <= max, got " + min + ".." + max);
        }
        this.minLatencyMillis = min;
        this.maxLatencyMillis = max;
        return this;
    }

    /** The probability that a message is silently lost. */
    public SimNetwork dropRate(double rate) {
        this.dropRate = checkRate(rate);
        return this;
    }

    /** The probability that a message arrives twice. */
    public SimNetwork duplicateRate(double rate) {
        this.duplicateRate = checkRate(rate);
        return this;
    }

    /** Cuts every link between {@code side} and the nodes not in it, both ways. */
    public void partition(Collection<NodeId> side, Collection<NodeId> allNodes) {
        for (NodeId inside : side) {
            for (NodeId other : allNodes) {
                if (!side.contains(other)) {
                    blockedLinks.add(link(inside, other));
                    blockedLinks.add(link(other, inside));
                }
            }
        }
    }

    /** Cuts the one-way link from {@code from} to {@code to}. */
    public void block(NodeId from, NodeId to) {
        blockedLinks.add(link(from, to));
    }

    /** Something a node sent to another (a message or request; replies are not reported). */
    public record Sent(NodeId from, NodeId to, Message message) {
    }

    /** Calls {@code listener} with every message and request sent from now on, whether or not it arrives. */
    public void onSend(Consumer<Sent> listener) {
        sendListeners.add(listener);
    }

    /** Restores every link. */
    public void heal() {
        blockedLinks.clear();
    }

    public boolean canReach(NodeId from, NodeId to) {
        return !blockedLinks.contains(link(from, to));
    }

    public long messagesSent() {
        return messagesSent;
    }

    public long messagesDropped() {
        return messagesDropped;
    }

    /** Messages {@code node} has sent since the simulation started. */
    public long messagesSentBy(NodeId node) {
        long[] count = sentByNode.get(node);
        return count == null ? 0 : count[0];
    }

    void register(NodeId node, SimTransport endpoint) {
        endpoints.put(node, endpoint);
    }

    void unregister(NodeId node, SimTransport endpoint) {
        endpoints.remove(node, endpoint);
    }

    /**
     * Carries a message from {@code from} to the incarnation of {@code to} that is running
     * when it is sent; {@code arrival} runs there. Like a TCP connection, it is lost when
     * that incarnation dies before it arrives, even if the node has restarted since.
     */
    void send(NodeId from, NodeId to, Message message, Delivery arrival) {
        for (Consumer<Sent> listener : sendListeners) {
            listener.accept(new Sent(from, to, message));
        }
        messagesSent++;
        sentByNode.computeIfAbsent(from, n -> new long[1])[0]++;
        SimTransport target = endpoints.get(to);
        if (target == null || !canReach(from, to) || (dropRate > 0 && random.nextDouble() < dropRate)) {
            messagesDropped++;
            return;
        }
        int copies = duplicateRate > 0 && random.nextDouble() < duplicateRate ? 2 : 1;
        for (int copy = 0; copy < copies; copy++) {
            simulation.schedule(latency(), () -> {
                if (endpoints.get(to) == target && canReach(from, to)) {
                    arrival.arrive(target);
                } else {
                    messagesDropped++;
                }
            });
        }
    }

    /**
     * Carries a reply back to the exact incarnation that sent the request. A reply from an
     * incarnation that has crashed since it received the request is never sent.
     */
    void reply(SimTransport replier, SimTransport requester, Runnable arrival) {
        NodeId from = replier.self();
        NodeId to = requester.self();
        if (endpoints.get(from) != replier) {
            return;
        }
        messagesSent++;
        sentByNode.computeIfAbsent(from, n -> new long[1])[0]++;
        if (!canReach(from, to) || (dropRate > 0 && random.nextDouble() < dropRate)) {
            messagesDropped++;
            return;
        }
        simulation.schedule(latency(), () -> {
            if (endpoints.get(to) == requester && canReach(from, to)) {
                arrival.run();
            } else {
                messagesDropped++;
            }
        });
    }

    private long latency() {
        return minLatencyMillis == maxLatencyMillis
                ? minLatencyMillis
                : minLatencyMillis + random.nextLong(maxLatencyMillis - minLatencyMillis + 1);
    }

    private static long link(NodeId from, NodeId to) {
        return ((long) from.number() << 32) | to.number();
    }

    private static double checkRate(double rate) {
        if (rate < 0 || rate > 1) {
            throw new IllegalArgumentException("a rate must be between 0 and 1, got " + rate);
        }
        return rate;
    }

    @FunctionalInterface
    interface Delivery {
        void arrive(SimTransport endpoint);
    }
}
