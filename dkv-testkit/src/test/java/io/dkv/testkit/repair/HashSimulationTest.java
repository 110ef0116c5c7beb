package io.dkv.testkit.repair;

import io.dkv.cluster.ClusterNode;
import io.dkv.cluster.coordinator.WriteResult;
import io.dkv.core.Consistency;
import io.dkv.core.DkvException;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.hash.HashFields;
import io.dkv.core.hash.KeyType;
import io.dkv.testkit.Seeds;
import io.dkv.testkit.sim.SimCluster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hash fields under crashes, message loss and wall clocks skewed within the bound, in
 * virtual time. Random HSETs and HDELs of single fields, pairs of HSETs of different fields
 * sent at once through different coordinators, and now and then a SET or DEL of the whole
 * key, all at QUORUM; a model merges every acknowledged write by the versions the writes were
 * stamped with ({@link Entry#merge}, the rule proven in {@code HashMergeProperties}). Every
 * QUORUM read must show what the model shows: the same type and the same live fields, so no
 * field written concurrently is lost and no deleted field comes back. Then restarts, hints,
 * read repair and anti-entropy: every replica converges to the model.
 *
 * <p>A write that failed may still have landed on some replicas, at a version the test does
 * not know: its key is left out of the checks until a whole-key write acknowledged well after
 * it (further than twice the skew bound, so stamped above it) hides it.
 */
class HashSimulationTest {

    private static final long SKEW = 200;
    private static final int KEYS = 6;
    private static final int FIELDS = 6;
    private static final int OPERATIONS = 400;

    static LongStream seeds() {
        return Seeds.seeds(4);
    }

    private static final class Model {
        Entry entry;
        /** Virtual time of the last write that failed, or -1: until a whole-key write well after it, the key is unknown. */
        long failedAt = -1;

        boolean certain() {
            return failedAt < 0;
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void concurrentFieldsSurviveAndDeletedFieldsStayGone(long seed) {
        String run = Seeds.describe(HashSimulationTest.class, "concurrentFieldsSurviveAndDeletedFieldsStayGone", seed);
        System.out.println(run);
        SimCluster cluster = SimCluster.builder().nodes(5).replicas(3).seed(seed)
                .network(n -> n.latency(1, 20).dropRate(0.01))
                .config(c -> c.repair(c.repair().withAntiEntropyIntervalMillis(3_000)))
                .start();
        SplittableRandom random = new SplittableRandom(seed);
        for (NodeId node : cluster.nodeIds()) {
            cluster.skewClock(node, random.nextLong(-SKEW, SKEW + 1));
        }
        long bound = cluster.config().maxClockSkewMillis();
        Map<String, Model> models = new LinkedHashMap<>();
        int[] counts = new int[5]; // reads checked, failed ops, crashes, concurrent pairs both kept, fields deleted

        NodeId down = null;
        for (int op = 0; op < OPERATIONS; op++) {
            if (op % 50 == 49) {
                if (down == null) {
                    down = cluster.nodeIds().get(random.nextInt(cluster.nodeIds().size()));
                    cluster.crash(down);
                    counts[2]++;
                } else {
                    cluster.restart(down);
                    down = null;
                }
            }
            List<NodeId> up = cluster.upNodes();
            NodeId coordinator = up.get(random.nextInt(up.size()));
            String key = "hash-" + random.nextInt(KEYS);
            Model model = models.computeIfAbsent(key, k -> new Model());
            int kind = random.nextInt(20);
            if (kind < 7) {
                read(cluster, coordinator, key, model, counts, run);
            } else if (kind < 11) {
                Map<byte[], byte[]> fields = new HashMap<>(Map.of(bytes("f" + random.nextInt(FIELDS)), bytes("v" + op)));
                write(cluster, model, counts, key, fields,
                        () -> cluster.node(coordinator).writeFields(bytes(key), fields, false, Consistency.QUORUM));
            } else if (kind < 14) {
                Map<byte[], byte[]> deleted = new HashMap<>();
                deleted.put(bytes("f" + random.nextInt(FIELDS)), null);
                write(cluster, model, counts, key, deleted,
                        () -> cluster.node(coordinator).writeFields(bytes(key), deleted, false, Consistency.QUORUM));
                counts[4]++;
            } else if (kind < 18) {
                concurrentPair(cluster, random, up, key, model, op, counts, run);
            } else {
                wholeKey(cluster, coordinator, key, model, kind == 18, op, counts, bound);
            }
            cluster.runFor(Duration.ofMillis(random.nextInt(100)));
        }
        if (down != null) {
            cluster.restart(down);
        }

        // Restarts, hints, read repair and anti-entropy: every replica ends with what the model holds.
        for (NodeId node : cluster.nodeIds()) {
            cluster.crash(node);
            cluster.runFor(Duration.ofSeconds(1));
            cluster.restart(node);
            cluster.runFor(Duration.ofSeconds(1));
        }
        boolean converged = cluster.runUntilSettled(() -> models.entrySet().stream()
                .filter(each -> each.getValue().certain())
                .allMatch(each -> cluster.ring().replicasOf(bytes(each.getKey())).stream()
                        .allMatch(replica -> visible(cluster.localEntry(replica, each.getKey()))
                                .equals(visible(each.getValue().entry)))), Duration.ofSeconds(60));
        for (Map.Entry<String, Model> each : models.entrySet()) {
            if (!each.getValue().certain()) {
                continue;
            }
            for (NodeId replica : cluster.ring().replicasOf(bytes(each.getKey()))) {
                assertThat(visible(cluster.localEntry(replica, each.getKey())))
                        .as("%s on %s after repair (converged: %s); %s", each.getKey(), replica, converged, run)
                        .isEqualTo(visible(each.getValue().entry));
            }
            for (NodeId node : cluster.nodeIds()) {
                read(cluster, node, each.getKey(), each.getValue(), counts, run);
            }
        }
        System.out.printf("HashSimulationTest seed=%d: %d reads checked against the model, %d operations failed,"
                        + " %d crashes, %d concurrent pairs both kept, %d HDELs, %d keys certain at the end,"
                        + " %d ms virtual%n", seed, counts[0], counts[1], counts[2], counts[3], counts[4],
                models.values().stream().filter(Model::certain).count(), cluster.simulation().now());
    }

    /** Two HSETs of different fields, sent at once through two coordinators: both must be kept. */
    private static void concurrentPair(SimCluster cluster, SplittableRandom random, List<NodeId> up, String key,
                                       Model model, int op, int[] counts, String run) {
        NodeId first = up.get(random.nextInt(up.size()));
        NodeId second = up.get(random.nextInt(up.size()));
        int a = random.nextInt(FIELDS);
        int b = (a + 1 + random.nextInt(FIELDS - 1)) % FIELDS;
        Map<byte[], byte[]> one = new HashMap<>(Map.of(bytes("f" + a), bytes("p" + op + "a")));
        Map<byte[], byte[]> other = new HashMap<>(Map.of(bytes("f" + b), bytes("p" + op + "b")));
        CompletableFuture<WriteResult> left = cluster.node(first).writeFields(bytes(key), one, false, Consistency.QUORUM);
        CompletableFuture<WriteResult> right = cluster.node(second).writeFields(bytes(key), other, false, Consistency.QUORUM);
        boolean bothKept = record(cluster, model, counts, one, left) & record(cluster, model, counts, other, right);
        if (bothKept && model.certain()) {
            counts[3]++;
            read(cluster, up.get(random.nextInt(up.size())), key, model, counts, run);
        }
    }

    private static void write(SimCluster cluster, Model model, int[] counts, String key, Map<byte[], byte[]> fields,
                              java.util.function.Supplier<CompletableFuture<WriteResult>> write) {
        record(cluster, model, counts, fields, write.get());
    }

    /** Awaits a field write and merges it into the model; returns whether it was acknowledged. */
    private static boolean record(SimCluster cluster, Model model, int[] counts, Map<byte[], byte[]> fields,
                                  CompletableFuture<WriteResult> write) {
        try {
            WriteResult result = cluster.await(write);
            model.entry = Entry.merge(model.entry, Entry.fieldsOnly(HashFields.written(fields, result.version())));
            return true;
        } catch (DkvException e) {
            model.failedAt = cluster.simulation().now();
            counts[1]++;
            return false;
        }
    }

    /** A SET (string) or DEL of the whole key; acknowledged well after the last failure, it makes the key known again. */
    private static void wholeKey(SimCluster cluster, NodeId coordinator, String key, Model model, boolean set, int op,
                                 int[] counts, long bound) {
        long issuedAt = cluster.simulation().now();
        ClusterNode node = cluster.node(coordinator);
        byte[] value = bytes("s" + op);
        try {
            WriteResult result = cluster.await(set ? node.put(bytes(key), value, Consistency.QUORUM)
                    : node.delete(bytes(key), Consistency.QUORUM));
            model.entry = Entry.merge(model.entry, set ? Entry.value(value, result.version())
                    : Entry.tombstone(result.version()));
            if (model.failedAt >= 0 && issuedAt > model.failedAt + 2 * bound + 100) {
                model.failedAt = -1;
            }
        } catch (DkvException e) {
            model.failedAt = cluster.simulation().now();
            counts[1]++;
        }
    }

    private static void read(SimCluster cluster, NodeId coordinator, String key, Model model, int[] counts, String run) {
        ClusterNode node = cluster.node(coordinator);
        Entry entry;
        try {
            entry = cluster.await(node.read(bytes(key), Consistency.QUORUM));
        } catch (DkvException e) {
            counts[1]++;
            return;
        }
        if (!model.certain()) {
            return;
        }
        assertThat(visible(entry)).as("%s through %s, model %s, read %s; %s", key, coordinator, model.entry, entry, run)
                .isEqualTo(visible(model.entry));
        counts[0]++;
    }

    /** What a client sees: "none", the string, or the live fields by name. */
    private static Object visible(Entry entry) {
        KeyType type = entry == null ? KeyType.NONE : entry.type();
        if (type == KeyType.STRING) {
            return "string " + new String(entry.value(), StandardCharsets.UTF_8);
        }
        Map<String, String> fields = new TreeMap<>();
        if (type == KeyType.HASH) {
            entry.fields().live().forEach(field -> fields.put(new String(field.getKey(), StandardCharsets.UTF_8),
                    new String(field.getValue(), StandardCharsets.UTF_8)));
        }
        return fields.isEmpty() ? "none" : fields;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
