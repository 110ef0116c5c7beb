package io.dkv.testkit.membership;

import io.dkv.cluster.membership.register.AcceptorState;
import io.dkv.cluster.membership.register.Committed;
import io.dkv.cluster.membership.register.RingConflictException;
import io.dkv.cluster.membership.register.RingProposalFailedException;
import io.dkv.cluster.membership.register.RingRegister;
import io.dkv.core.NodeId;
import io.dkv.core.message.Ballot;
import io.dkv.testkit.Seeds;
import io.dkv.testkit.sim.SimCluster;
import io.dkv.testkit.sim.SimNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Ring epochs committed by Paxos, on the simulator: concurrent proposals, partitions,
 * restarts, loss and duplication. The value proposed is a {@link LabelledRings} ring state of the five
 * nodes followed by a label, so every epoch keeps the same acceptors and values differ.
 */
class RingRegisterSimTest {

    private static final int NODES = 5;

    private static SimCluster cluster(long seed, Consumer<SimNetwork> network) {
        return SimCluster.builder().nodes(NODES).replicas(3).seed(seed)
                .config(c -> c.repair(c.repair().withAntiEntropyEnabled(false)).handoff(c.handoff().withEnabled(false)))
                .network(network).start();
    }

    private static byte[] value(SimCluster cluster, String label) {
        return LabelledRings.value(cluster.nodeIds(), label);
    }

    private static String label(Committed committed) {
        return LabelledRings.label(committed.value());
    }

    private static RingRegister register(SimCluster cluster, int node) {
        return cluster.node(NodeId.of(node)).ringRegister();
    }

    /** Waits for a proposal; returns its value's label, or "conflict:L"/"failed" for its failure. */
    private static String outcome(SimCluster cluster, CompletableFuture<Committed> proposal) {
        cluster.runUntil(proposal::isDone, Duration.ofMinutes(2));
        assertThat(proposal).as("proposal finished (seed " + cluster.seed() + ")").isDone();
        try {
            return label(proposal.join());
        } catch (CompletionException e) {
            if (e.getCause() instanceof RingConflictException conflict) {
                return "conflict:" + label(conflict.current());
            }
            if (e.getCause() instanceof RingProposalFailedException) {
                return "failed";
            }
            throw e;
        }
    }

    private static boolean allAtEpoch(SimCluster cluster, long epoch) {
        return cluster.upNodes().stream().allMatch(n -> cluster.node(n).ringRegister().current().epoch() >= epoch);
    }

    static LongStream seeds() {
        return Seeds.seeds(8);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void concurrentProposalsForOneEpochCommitExactlyOneValueEverywhere(long seed) {
        System.out.println(Seeds.describe(RingRegisterSimTest.class, "concurrentProposals", seed));
        SimCluster cluster = cluster(seed, n -> n.latency(1, 20));
        cluster.runFor(Duration.ofSeconds(2));
        List<CompletableFuture<Committed>> proposals = new ArrayList<>();
        for (int node = 1; node <= 3; node++) {
            proposals.add(register(cluster, node).propose(1, value(cluster, "from-n" + node)));
        }
        List<String> outcomes = new ArrayList<>();
        proposals.forEach(p -> outcomes.add(outcome(cluster, p)));

        assertThat(cluster.runUntilSettled(() -> allAtEpoch(cluster, 2), Duration.ofSeconds(30)))
                .as(Seeds.describe(RingRegisterSimTest.class, "every node installs epoch 2", seed)).isTrue();
        String chosen = label(register(cluster, 1).current());
        for (NodeId node : cluster.nodeIds()) {
            Committed installed = cluster.node(node).ringRegister().current();
            assertThat(installed.epoch()).isEqualTo(2);
            assertThat(label(installed)).as("%s's epoch 2, seed %d", node, seed).isEqualTo(chosen);
        }
        assertThat(outcomes).as("outcomes, seed " + seed).containsOnlyOnce(chosen)
                .allMatch(o -> o.equals(chosen) || o.equals("conflict:" + chosen));
    }

    @Test
    void aMinorityCannotCommitTheMajorityCanAndTheMinorityLearnsItByGossipAfterHealing() {
        long seed = 11;
        SimCluster cluster = cluster(seed, n -> n.latency(1, 10));
        cluster.runFor(Duration.ofSeconds(2));
        cluster.partition(List.of(NodeId.of(1), NodeId.of(2)));

        CompletableFuture<Committed> minority = register(cluster, 1).propose(1, value(cluster, "minority"));
        CompletableFuture<Committed> majority = register(cluster, 3).propose(1, value(cluster, "majority"));

        assertThat(outcome(cluster, majority)).isEqualTo("majority");
        assertThat(outcome(cluster, minority)).isEqualTo("failed");
        assertThat(register(cluster, 1).current().epoch()).isEqualTo(1);
        assertThat(register(cluster, 2).current().epoch()).isEqualTo(1);
        assertThat(cluster.runUntilSettled(() -> allAtEpoch(cluster, 2), Duration.ofSeconds(10))).isFalse();

        cluster.heal();

        assertThat(cluster.runUntilSettled(() -> allAtEpoch(cluster, 2), Duration.ofSeconds(10))).isTrue();
        assertThat(label(register(cluster, 1).current())).isEqualTo("majority");
        assertThat(label(register(cluster, 2).current())).isEqualTo("majority");
        // The minority's proposer catches up and builds on the majority's ring.
        assertThat(outcome(cluster, register(cluster, 1).propose(2, value(cluster, "next")))).isEqualTo("next");
    }

    @Test
    void aProposerThatMissedACommitLearnsItInsteadOfForking() {
        SimCluster cluster = cluster(5, n -> n.latency(1, 10));
        cluster.runFor(Duration.ofSeconds(2));
        // n5 hears nothing while the others commit epoch 1; it is healed before gossip could tell it.
        cluster.partition(List.of(NodeId.of(5)));
        assertThat(outcome(cluster, register(cluster, 1).propose(1, value(cluster, "first")))).isEqualTo("first");
        cluster.heal();

        String late = outcome(cluster, register(cluster, 5).propose(1, value(cluster, "late")));

        assertThat(late).isEqualTo("conflict:first");
        assertThat(label(register(cluster, 5).current())).isEqualTo("first");
    }

    @Test
    void restartedAcceptorsKeepWhatTheyAcceptedSoALaterProposerAdoptsIt() {
        SimCluster cluster = cluster(3, n -> n.latency(1, 10));
        cluster.runFor(Duration.ofSeconds(1));
        Committed genesis = register(cluster, 1).current();
        Ballot ballot = new Ballot(5, 1);
        byte[] chosen = value(cluster, "accepted-before-crash");
        // n1, n2 and n3 accepted a value under ballot 5.1 (a majority: it is chosen), then all crashed
        // before anyone learned so. Their stores are their disks.
        for (int node = 1; node <= 3; node++) {
            cluster.crash(NodeId.of(node));
            cluster.ringStore(NodeId.of(node)).save(new AcceptorState(genesis, ballot, ballot, chosen));
            cluster.restart(NodeId.of(node));
        }
        cluster.runFor(Duration.ofSeconds(1));

        String outcome = outcome(cluster, register(cluster, 4).propose(1, value(cluster, "after-restart")));

        assertThat(outcome).isEqualTo("conflict:accepted-before-crash");
        assertThat(cluster.runUntilSettled(() -> allAtEpoch(cluster, 2), Duration.ofSeconds(10))).isTrue();
        cluster.nodeIds().forEach(n -> assertThat(label(cluster.node(n).ringRegister().current()))
                .isEqualTo("accepted-before-crash"));
    }

    @Test
    void aRestartedAcceptorKeepsItsPromise() {
        SimCluster cluster = cluster(4, n -> n.latency(1, 10));
        cluster.runFor(Duration.ofSeconds(1));
        Committed genesis = register(cluster, 1).current();
        NodeId n2 = NodeId.of(2);
        cluster.crash(n2);
        cluster.ringStore(n2).save(new AcceptorState(genesis, new Ballot(9, 3), Ballot.ZERO, new byte[0]));
        cluster.restart(n2);
        // n1 can reach only n2 and n3, so it needs n2's vote (3 of 5): n2 must refuse every
        // ballot up to 9.3 it promised before the crash, and vote for n1 only under a higher one.
        cluster.partition(List.of(NodeId.of(1), n2, NodeId.of(3)));
        long start = cluster.simulation().now();

        assertThat(outcome(cluster, register(cluster, 1).propose(1, value(cluster, "x")))).isEqualTo("x");
        assertThat(cluster.simulation().now() - start).as("n1 had to back off and retry above n2's promise")
                .isGreaterThanOrEqualTo(cluster.config().replicaTimeoutMillis() / 4);
        assertThat(cluster.runUntil(() -> cluster.ringStore(n2).load().committed().epoch() == 2, Duration.ofSeconds(5)))
                .as("n2 saved the commit").isTrue();
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void underLossDuplicationAndCrashesNoEpochEverHasTwoValues(long seed) {
        System.out.println(Seeds.describe(RingRegisterSimTest.class, "lossAndDuplication", seed));
        SimCluster cluster = cluster(seed, n -> n.latency(1, 50).dropRate(0.1).duplicateRate(0.1));
        cluster.runFor(Duration.ofSeconds(2));
        Map<Long, String> seen = new HashMap<>();
        List<String> violations = new ArrayList<>();
        Consumer<NodeId> watch = node -> cluster.node(node).ringRegister().onInstalled(c -> {
            String before = seen.putIfAbsent(c.epoch(), label(c));
            if (before != null && !before.equals(label(c))) {
                violations.add("epoch " + c.epoch() + ": " + before + " and " + label(c) + " (at " + node + ")");
            }
        });
        cluster.nodeIds().forEach(watch);
        var random = cluster.simulation().random();
        Map<Integer, Integer> wins = new HashMap<>();
        for (int round = 0; round < 6; round++) {
            List<CompletableFuture<Committed>> proposals = new ArrayList<>();
            List<Integer> proposers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int node = 1 + random.nextInt(NODES);
                if (!cluster.isUp(NodeId.of(node)) || proposers.contains(node)) {
                    continue;
                }
                RingRegister register = register(cluster, node);
                proposers.add(node);
                proposals.add(register.propose(register.current().epoch(), value(cluster, "r" + round + "-n" + node)));
                // Staggered starts: a later proposer may find an earlier one's value accepted but not yet known.
                cluster.runFor(Duration.ofMillis(random.nextInt(60)));
            }
            if (random.nextInt(3) == 0) {
                NodeId victim = NodeId.of(1 + random.nextInt(NODES));
                int index = proposers.indexOf(victim.number());
                if (index >= 0) {
                    // A crashed proposer's proposal dies with it (its outcome is never reported).
                    proposers.remove(index);
                    proposals.remove(index);
                }
                cluster.crash(victim);
                cluster.runFor(Duration.ofMillis(random.nextInt(500)));
                cluster.restart(victim);
                watch.accept(victim);
            }
            for (int i = 0; i < proposals.size(); i++) {
                String outcome = outcome(cluster, proposals.get(i));
                if (!outcome.startsWith("conflict:") && !outcome.equals("failed")) {
                    wins.merge(proposers.get(i), 1, Integer::sum);
                }
            }
        }
        cluster.network().dropRate(0).duplicateRate(0);
        long newest = cluster.nodeIds().stream().mapToLong(n -> register(cluster, n.number()).current().epoch())
                .max().orElseThrow();
        assertThat(cluster.runUntilSettled(() -> allAtEpoch(cluster, newest), Duration.ofSeconds(30)))
                .as(Seeds.describe(RingRegisterSimTest.class, "every node reaches epoch " + newest, seed)).isTrue();
        System.out.printf("seed %d: %d epochs committed, wins by node %s%n", seed, newest, wins);
        if (!violations.isEmpty()) {
            fail(Seeds.describe(RingRegisterSimTest.class, "forked epochs " + violations, seed));
        }
        String last = seen.get(newest);
        cluster.nodeIds().forEach(n -> assertThat(label(register(cluster, n.number()).current())).isEqualTo(last));
        assertThat(newest).as("some epochs were committed, seed " + seed).isPositive();
    }

    @Test
    void proposalsThatCannotBeMadeFailAtOnceAndSayWhy() {
        SimCluster cluster = cluster(6, n -> n.latency(1, 10));
        cluster.runFor(Duration.ofSeconds(1));
        RingRegister n1 = register(cluster, 1);

        assertThat(failure(cluster, n1.propose(4, value(cluster, "x"))))
                .isInstanceOf(RingProposalFailedException.class).hasMessageContaining("knows only epoch 1");
        CompletableFuture<Committed> first = n1.propose(1, value(cluster, "first"));
        assertThat(failure(cluster, n1.propose(1, value(cluster, "second"))))
                .isInstanceOf(RingProposalFailedException.class).hasMessageContaining("already proposing epoch 2");
        assertThat(outcome(cluster, first)).isEqualTo("first");
        assertThat(failure(cluster, n1.propose(1, value(cluster, "stale"))))
                .isInstanceOf(RingConflictException.class).hasMessageContaining("epoch 2 already committed");
        // Epoch 3's ring leaves n5 out: n5 may no longer propose.
        byte[] withoutN5 = LabelledRings.value(List.of(NodeId.of(1), NodeId.of(2), NodeId.of(3), NodeId.of(4)), "four");
        assertThat(outcome(cluster, n1.propose(2, withoutN5))).isEqualTo("four");
        assertThat(cluster.runUntilSettled(() -> allAtEpoch(cluster, 3), Duration.ofSeconds(10))).isTrue();
        assertThat(failure(cluster, register(cluster, 5).propose(3, value(cluster, "back"))))
                .isInstanceOf(RingProposalFailedException.class).hasMessageContaining("is not a member");
    }

    private static Throwable failure(SimCluster cluster, CompletableFuture<Committed> proposal) {
        cluster.runUntil(proposal::isDone, Duration.ofMinutes(2));
        assertThat(proposal).isCompletedExceptionally();
        return proposal.handle((ok, error) -> error instanceof CompletionException c ? c.getCause() : error).join();
    }
}
