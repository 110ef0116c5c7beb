package io.dkv.testkit.repair;

import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.core.Consistency;
import io.dkv.core.DkvException;
import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.NodeId;
import io.dkv.core.version.Version;
import io.dkv.testkit.Seeds;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keys with expiry under crashes, message loss and wall clocks skewed within the bound, in
 * virtual time. Random SET, SET EX, EXPIRE, PERSIST and DEL through random coordinators at
 * QUORUM; a model merges every acknowledged write register by register, by the versions the
 * writes were stamped with, and every QUORUM read must return what the model holds as judged
 * by the reading coordinator's clock (so no PERSISTed or rewritten value is lost and no
 * expired value is read). Independently, no read may return a value more than the skew
 * bound after its expiry in true time. Then the sweep: a replica that missed an EXPIRE is
 * down past the grace period and the hint window; expired keys are purged once every
 * replica holds their expiry, and after restarts, hints, read repair and anti-entropy none
 * comes back.
 */
class ExpirySimulationTest {

    private static final long GRACE = 20_000;
    private static final long HINT_MAX_AGE = 5_000;
    private static final long SKEW = 200;
    private static final int KEYS = 16;
    private static final int OPERATIONS = 400;

    static LongStream seeds() {
        return Seeds.seeds(4);
    }

    /** One register as the model holds it: the newest acknowledged write of it. */
    private record Register(String value, long at, Version version) {
    }

    private static final class Model {
        Register value;
        Register expiry;
        boolean uncertain;

        void apply(Register candidateValue, Register candidateExpiry) {
            if (candidateValue != null && (value == null || candidateValue.version().isAfter(value.version()))) {
                value = candidateValue;
            }
            if (candidateExpiry != null && (expiry == null || candidateExpiry.version().isAfter(expiry.version()))) {
                expiry = candidateExpiry;
            }
        }

        Entry asEntry() {
            Version valueVersion = value == null ? Version.ZERO : value.version();
            byte[] bytes = value == null || value.value() == null ? null : value.value().getBytes(StandardCharsets.UTF_8);
            Expiry register = expiry == null ? Expiry.ABSENT : new Expiry(expiry.at(), expiry.version());
            return new Entry(bytes, valueVersion, register);
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void expiredValuesStayGoneAndLiveOnesStay(long seed) {
        String run = Seeds.describe(ExpirySimulationTest.class, "ExpirySimulationTest", seed);
        System.out.println(run);
        SimCluster cluster = SimCluster.builder().nodes(5).replicas(3).seed(seed)
                .network(n -> n.latency(1, 20).dropRate(0.01))
                .config(c -> c.handoff(c.handoff().withMaxAgeMillis(HINT_MAX_AGE))
                        .repair(c.repair().withTombstoneGraceMillis(GRACE).withTombstoneSweepIntervalMillis(1_000)
                                .withAntiEntropyIntervalMillis(5_000)))
                .start();
        SplittableRandom random = new SplittableRandom(seed);
        for (NodeId node : cluster.nodeIds()) {
            cluster.skewClock(node, random.nextLong(-SKEW, SKEW + 1));
        }
        long bound = cluster.config().maxClockSkewMillis();
        Map<String, Model> models = new LinkedHashMap<>();
        int[] counts = new int[4]; // reads checked exactly, reads checked against the bound, failed ops, crashes

        NodeId down = null;
        for (int op = 0; op < OPERATIONS; op++) {
            if (op % 40 == 39) {
                if (down == null) {
                    down = cluster.nodeIds().get(random.nextInt(cluster.nodeIds().size()));
                    cluster.crash(down);
                    counts[3]++;
                } else {
                    cluster.restart(down);
                    down = null;
                }
            }
            List<NodeId> up = cluster.upNodes();
            NodeId coordinator = up.get(random.nextInt(up.size()));
            String key = "key-" + random.nextInt(KEYS);
            Model model = models.computeIfAbsent(key, k -> new Model());
            int kind = random.nextInt(10);
            if (kind < 4) {
                read(cluster, coordinator, key, model, bound, counts, run);
            } else {
                write(cluster, coordinator, key, model, kind, op, random, counts);
            }
            cluster.runFor(Duration.ofMillis(random.nextInt(100)));
        }
        if (down != null) {
            cluster.restart(down);
        }
        cluster.runFor(Duration.ofSeconds(5));

        // A replica misses an EXPIRE and stays away past the grace period and the hint window.
        String stale = "stale";
        List<NodeId> staleReplicas = cluster.ring().replicasOf(bytes(stale));
        NodeId absent = staleReplicas.get(0);
        NodeId via = cluster.nodeIds().stream().filter(n -> !n.equals(absent)).findFirst().orElseThrow();
        Model staleModel = models.computeIfAbsent(stale, k -> new Model());
        WriteResult set = retried(cluster, () -> cluster.node(via).put(bytes(stale), bytes("stale-value"), Consistency.ALL));
        staleModel.apply(new Register("stale-value", 0, set.version()), new Register(null, Expiry.NEVER, set.version()));
        cluster.crash(absent);
        long at = cluster.node(via).wallMillis() + 1_000;
        WriteResult expire = retried(cluster, () -> cluster.node(via).setExpiry(bytes(stale), at, Consistency.QUORUM));
        staleModel.apply(null, new Register(null, at, expire.version()));
        cluster.runFor(Duration.ofMillis(2 * GRACE));
        assertThat(cluster.localEntry(absent, stale)).as(run).satisfiesAnyOf(
                entry -> assertThat(entry).isNull(), entry -> assertThat(entry.expiry().isSet()).isFalse());
        for (NodeId replica : staleReplicas.subList(1, 3)) {
            assertThat(cluster.localEntry(replica, stale)).as("%s keeps the expired entry while %s is away; %s",
                    replica, absent, run).isNotNull();
        }
        cluster.restart(absent);
        for (NodeId node : cluster.nodeIds()) {
            if (!node.equals(absent)) {
                assertThat(retried(cluster, () -> cluster.node(node).get(bytes(stale), Consistency.QUORUM))).as(run).isNull();
            }
        }

        // The sweep: every key dead (deleted or expired) for longer than the grace period goes from every replica.
        long settleBy = cluster.simulation().now() + 4 * GRACE;
        Set<String> purged = new HashSet<>();
        assertThat(cluster.runUntilSettled(() -> {
            long now = cluster.trueWallMillis();
            purged.clear();
            for (Map.Entry<String, Model> each : models.entrySet()) {
                Entry expected = each.getValue().asEntry();
                if (!each.getValue().uncertain && expected.deadSinceMillis() < now - GRACE - 2 * bound
                        && expected.expiry().version().compareTo(Version.ZERO) > 0) {
                    purged.add(each.getKey());
                }
            }
            return purged.contains(stale) && purged.stream().allMatch(key -> cluster.ring().replicasOf(bytes(key)).stream()
                    .allMatch(replica -> cluster.localEntry(replica, key) == null));
        }, Duration.ofMillis(settleBy - cluster.simulation().now()))).as("dead keys %s purged everywhere; %s", purged, run)
                .isTrue();
        assertThat(purged).as(run).contains(stale);

        // Restarts, hints, anti-entropy and read repair bring none back; live keys keep their values.
        for (NodeId node : cluster.nodeIds()) {
            cluster.crash(node);
            cluster.runFor(Duration.ofMillis(HINT_MAX_AGE / 2));
            cluster.restart(node);
            cluster.runFor(Duration.ofSeconds(2));
        }
        cluster.runFor(Duration.ofMillis(GRACE));
        for (String key : purged) {
            for (NodeId replica : cluster.ring().replicasOf(bytes(key))) {
                Entry entry = cluster.localEntry(replica, key);
                assertThat(entry == null || !entry.liveAt(cluster.trueWallMillis() - bound))
                        .as("%s on %s after the purge: %s; %s", key, replica, entry, run).isTrue();
            }
        }
        for (Map.Entry<String, Model> each : models.entrySet()) {
            for (NodeId node : cluster.nodeIds()) {
                if (each.getValue().uncertain) {
                    continue;
                }
                byte[] value = retried(cluster, () -> cluster.node(node).get(bytes(each.getKey()), Consistency.ONE));
                Entry expected = each.getValue().asEntry();
                long now = cluster.node(node).wallMillis();
                assertThat(value == null ? null : new String(value, StandardCharsets.UTF_8))
                        .as("%s at ONE through %s, model %s; %s", each.getKey(), node, expected, run)
                        .isEqualTo(expected.liveAt(now) ? new String(expected.value(), StandardCharsets.UTF_8) : null);
                counts[0]++;
            }
        }
        System.out.printf("ExpirySimulationTest seed=%d: %d reads checked against the model, %d against the skew bound,"
                        + " %d operations failed, %d crashes, %d keys purged, %d uncertain keys, %d ms virtual%n", seed,
                counts[0], counts[1], counts[2], counts[3], purged.size(),
                models.values().stream().filter(m -> m.uncertain).count(), cluster.simulation().now());
    }

    /** A request the scenario needs: tried again (a write with a newer version) until it is answered. */
    private static <T> T retried(SimCluster cluster, java.util.function.Supplier<CompletableFuture<T>> write) {
        for (int attempt = 1; ; attempt++) {
            try {
                return cluster.await(write.get());
            } catch (DkvException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    private static void read(SimCluster cluster, NodeId coordinator, String key, Model model, long bound, int[] counts,
                             String run) {
        ClusterNode node = cluster.node(coordinator);
        Entry entry;
        try {
            entry = cluster.await(node.read(bytes(key), Consistency.QUORUM));
        } catch (DkvException e) {
            counts[2]++;
            return;
        }
        long now = node.wallMillis();
        if (entry != null && !entry.isTombstone() && entry.expiry().isSet()) {
            assertThat(cluster.trueWallMillis()).as("%s read live through %s at true time, expiring %d; %s", key,
                    coordinator, entry.expiry().atMillis(), run).isLessThanOrEqualTo(entry.expiry().atMillis() + bound);
            counts[1]++;
        }
        Entry expected = model.asEntry();
        boolean nearExpiry = expected.expiry().isSet() && Math.abs(expected.expiry().atMillis() - now) <= 2;
        if (model.uncertain || nearExpiry || (model.value == null && model.expiry == null)) {
            return;
        }
        String got = entry == null || entry.isTombstone() ? null : new String(entry.value(), StandardCharsets.UTF_8);
        String want = expected.liveAt(now) ? new String(expected.value(), StandardCharsets.UTF_8) : null;
        assertThat(got).as("%s through %s at %d, model %s, read %s; %s", key, coordinator, now, expected, entry, run)
                .isEqualTo(want);
        counts[0]++;
    }

    private static void write(SimCluster cluster, NodeId coordinator, String key, Model model, int kind, int op,
                              SplittableRandom random, int[] counts) {
        ClusterNode node = cluster.node(coordinator);
        String value = "v" + op;
        long at = node.wallMillis() + 500 + random.nextInt(6_000);
        CompletableFuture<WriteResult> write = switch (kind) {
            case 4, 5 -> node.putExpiring(bytes(key), bytes(value), at, Consistency.QUORUM);
            case 6 -> node.put(bytes(key), bytes(value), Consistency.QUORUM);
            case 7 -> node.setExpiry(bytes(key), at, Consistency.QUORUM);
            case 8 -> node.setExpiry(bytes(key), Expiry.NEVER, Consistency.QUORUM);
            default -> node.delete(bytes(key), Consistency.QUORUM);
        };
        WriteResult result;
        try {
            result = cluster.await(write);
        } catch (DkvException e) {
            // It may still have reached some replicas: the key's state is no longer known exactly.
            model.uncertain = true;
            counts[2]++;
            return;
        }
        Version version = result.version();
        switch (kind) {
            case 4, 5 -> model.apply(new Register(value, 0, version), new Register(null, at, version));
            case 6 -> model.apply(new Register(value, 0, version), new Register(null, Expiry.NEVER, version));
            case 7 -> model.apply(null, new Register(null, at, version));
            case 8 -> model.apply(null, new Register(null, Expiry.NEVER, version));
            default -> model.apply(new Register(null, 0, version), new Register(null, Expiry.NEVER, version));
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
