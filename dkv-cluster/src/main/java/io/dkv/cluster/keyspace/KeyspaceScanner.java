package io.dkv.cluster.keyspace;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.cluster.coordinator.Router;
import io.dkv.cluster.rebalance.RingHolder;
import io.dkv.cluster.rebalance.RingState;
import io.dkv.cluster.replica.ReplicaEndpoints;
import io.dkv.cluster.runtime.PeerUnavailableException;
import io.dkv.cluster.runtime.Scheduler;
import io.dkv.core.Consistency;
import io.dkv.core.Entry;
import io.dkv.core.NodeId;
import io.dkv.core.NotEnoughReplicasException;
import io.dkv.core.message.ErrorReply;
import io.dkv.core.message.KeyScanReply;
import io.dkv.core.message.KeyScanRequest;
import io.dkv.core.message.Message;
import io.dkv.core.message.NotMine;
import io.dkv.core.ring.KeyHash;
import io.dkv.core.ring.Ring;
import io.dkv.core.storage.StreamOrder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Cluster-wide key scans, the coordinator side of SCAN, KEYS and RANDOMKEY (and of an exact key
 * count; DBSIZE estimates from counters instead: {@link KeyCounter}).
 *
 * <p>How: the key space is the ring's hash space, and a partition is a contiguous range of
 * it (the ring maps a hash to its partition by a monotone multiply-shift), so a scan
 * position is a single unsigned 64-bit hash: the cursor a client holds. A step reads one
 * partition from the cursor on: it asks a quorum of the partition's replicas that are up
 * for their keys from that hash ({@link KeyScanRequest}), keeps the keys below the
 * smallest hash any replica stopped at (each replica covers everything below its own
 * stopping point), merges each key's entries by version and keeps the keys whose newest
 * entry is live. Because the replicas asked are a quorum, every key acknowledged by a
 * QUORUM write is seen, and a QUORUM delete hides it, with one replica of three down.
 *
 * <p>When fewer than a quorum of a partition's replicas answer, the step fails and the
 * caller reports an error rather than skip the partition: the client retries with the same
 * cursor (nothing is ever silently left out of a scan that reports completion). A replica
 * that refuses because the ring changed ({@link NotMine}) makes the step wait for the newer
 * ring and ask the replicas it names.
 *
 * <p>Thread-safe: per-scan state lives in the futures; requests are sent from the scan
 * scheduler, so a replica that is this node scans its storage there and never on a client
 * thread.
 */
public final class KeyspaceScanner {

    /** Keys asked of a replica per request, whatever COUNT says: fewer round trips per partition. */
    static final int MIN_KEYS_PER_REQUEST = 64;
    static final int MAX_KEYS_PER_REQUEST = 4096;
    /** Key bytes a replica puts in one reply (keys may be 1 MiB each; a reply holds at least one). */
    static final int MAX_REPLY_KEY_BYTES = 1 << 20;
    /** Key bytes one SCAN step gathers before it answers, whatever COUNT says (keys may be 1 MiB each). */
    static final long MAX_PAGE_KEY_BYTES = 8L << 20;
    /** Partitions a full scan reads at once. */
    static final int FULL_SCAN_PARALLELISM = 8;

    private final ClusterConfig config;
    private final RingHolder rings;
    private final Router router;
    private final ReplicaEndpoints endpoints;
    private final Scheduler scanScheduler;
    private final Predicate<Entry> live;
    private final RandomGenerator random;
    private final KeyCounter counter;

    /**
     * @param live    whether a key whose newest entry is this one exists (the node's one rule)
     * @param counter the partitions' key counts, which RANDOMKEY weighs partitions by
     */
    public KeyspaceScanner(ClusterConfig config, RingHolder rings, Router router, ReplicaEndpoints endpoints,
                           Scheduler scanScheduler, Predicate<Entry> live, RandomGenerator random,
                           KeyCounter counter) {
        this.config = config;
        this.rings = rings;
        this.router = router;
        this.endpoints = endpoints;
        this.scanScheduler = scanScheduler;
        this.live = live;
        this.random = random;
        this.counter = counter;
    }

    /**
     * One SCAN step from {@code cursor}: reads partitions until it has at least {@code count}
     * keys, has read {@code max(count, 16)} partitions (at most 256), holds 8 MiB of keys, or
     * reaches the end.
     * Fails, without a page, when a partition cannot be read from a quorum.
     */
    public CompletableFuture<ScanPage> page(long cursor, int count) {
        CompletableFuture<ScanPage> result = new CompletableFuture<>();
        int partitionBudget = Math.min(256, Math.max(16, count));
        step(cursor, Math.max(1, count), new ArrayList<>(), 0, partitionBudget, result);
        return result;
    }

    private void step(long from, int count, List<byte[]> found, long foundBytes, int partitionsLeft,
                      CompletableFuture<ScanPage> result) {
        Ring ring = rings.state().current();
        int partition = ring.partitionOfHash(from);
        int wanted = Math.min(MAX_KEYS_PER_REQUEST, Math.max(MIN_KEYS_PER_REQUEST, count - found.size()));
        partitionPage(partition, from, wanted).whenComplete((page, error) -> {
            if (error != null) {
                result.completeExceptionally(unwrap(error));
                return;
            }
            found.addAll(page.keys());
            long bytes = foundBytes;
            for (byte[] key : page.keys()) {
                bytes += key.length;
            }
            long next = page.next();
            boolean nextPartition = partition != ring.partitionOfHash(next);
            if (next == 0 || found.size() >= count || bytes >= MAX_PAGE_KEY_BYTES
                    || (partitionsLeft <= 1 && nextPartition)) {
                result.complete(new ScanPage(found, next));
            } else {
                step(next, count, found, bytes, nextPartition ? partitionsLeft - 1 : partitionsLeft, result);
            }
        });
    }

    /**
     * Every live key of the cluster, handed to {@code sink} a batch at a time (calls never
     * overlap). A sink that throws stops the scan, which then fails with that exception: how
     * KEYS refuses a reply that would be too large.
     */
    public CompletableFuture<Void> forEachKey(Consumer<List<byte[]>> sink) {
        int partitions = rings.state().current().partitionCount();
        AtomicInteger nextPartition = new AtomicInteger();
        CompletableFuture<Void> result = new CompletableFuture<>();
        AtomicInteger running = new AtomicInteger(Math.min(FULL_SCAN_PARALLELISM, partitions));
        int lanes = running.get();
        for (int lane = 0; lane < lanes; lane++) {
            nextWholePartition(nextPartition, partitions, sink, result, running);
        }
        return result;
    }

    private void nextWholePartition(AtomicInteger nextPartition, int partitions, Consumer<List<byte[]>> sink,
                                    CompletableFuture<Void> result, AtomicInteger running) {
        int partition = nextPartition.getAndIncrement();
        if (partition >= partitions || result.isDone()) {
            if (running.decrementAndGet() == 0) {
                result.complete(null);
            }
            return;
        }
        wholePartition(partition, firstHash(partition, partitions), sink, result,
                () -> nextWholePartition(nextPartition, partitions, sink, result, running));
    }

    private void wholePartition(int partition, long from, Consumer<List<byte[]>> sink, CompletableFuture<Void> result,
                                Runnable then) {
        partitionPage(partition, from, MAX_KEYS_PER_REQUEST).whenComplete((page, error) -> {
            if (error != null) {
                result.completeExceptionally(unwrap(error));
                return;
            }
            try {
                synchronized (sink) {
                    if (!result.isDone()) {
                        sink.accept(page.keys());
                    }
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            if (page.next() != 0 && rings.state().current().partitionOfHash(page.next()) == partition) {
                wholePartition(partition, page.next(), sink, result, then);
            } else {
                then.run();
            }
        });
    }

    /** Counts the live keys of the cluster by a full scan: exact when no writes run meanwhile. */
    public CompletableFuture<Long> count() {
        AtomicLong total = new AtomicLong();
        return forEachKey(keys -> total.addAndGet(keys.size())).thenApply(done -> total.get());
    }

    /**
     * A live key, close to uniformly chosen, or {@code null} when the cluster holds none.
     *
     * <p>How: a partition is drawn with probability proportional to its key count
     * ({@link KeyCounter}), then a key uniformly among the live keys of one page of it, when
     * the partition fits in a page ({@link #MAX_KEYS_PER_REQUEST} keys, 1 MiB of key bytes):
     * each key then has about 1/N chance, whether its partition is dense or sparse. A larger
     * partition gives the first key after a random hash inside it, which favours keys after a
     * wide gap in hash order, as does the fallback when the counts cannot be had (a partition
     * without a replica up) or point at a partition without a live key (expired, or counts
     * that moved meanwhile): the first key after a random place on the ring.
     */
    public CompletableFuture<byte[]> randomKey() {
        return counter.perPartition()
                .thenCompose(counts -> {
                    long total = 0;
                    for (long count : counts) {
                        total += count;
                    }
                    if (total <= 0) {
                        return randomAfterRandomHash();
                    }
                    long pick = random.nextLong(total);
                    int partition = 0;
                    while (pick >= counts[partition]) {
                        pick -= counts[partition++];
                    }
                    return randomInPartition(partition, counts[partition], counts.length)
                            .thenCompose(key -> key != null ? CompletableFuture.completedFuture(key)
                                    : randomAfterRandomHash());
                })
                .exceptionallyCompose(error -> randomAfterRandomHash());
    }

    private CompletableFuture<byte[]> randomInPartition(int partition, long count, int partitions) {
        long first = firstHash(partition, partitions);
        if (count <= MAX_KEYS_PER_REQUEST) {
            return partitionPage(partition, first, MAX_KEYS_PER_REQUEST).thenApply(page ->
                    page.keys().isEmpty() ? null : page.keys().get(random.nextInt(page.keys().size())));
        }
        long end = partition + 1 < partitions ? firstHash(partition + 1, partitions) : 0;
        long width = end - first;
        long from = width > 0 ? first + random.nextLong(width) : random.nextLong();
        return partitionPage(partition, from, 1).thenCompose(page -> !page.keys().isEmpty()
                ? CompletableFuture.completedFuture(page.keys().get(0))
                : partitionPage(partition, first, 1).thenApply(wrapped ->
                        wrapped.keys().isEmpty() ? null : wrapped.keys().get(0)));
    }

    /** The first live key after a random place on the ring (keys after a wide gap in hash order are more likely). */
    private CompletableFuture<byte[]> randomAfterRandomHash() {
        long start = random.nextLong();
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        randomStep(start == 0 ? 1 : start, start, false, result);
        return result;
    }

    private void randomStep(long from, long start, boolean wrapped, CompletableFuture<byte[]> result) {
        page(from, 1).whenComplete((page, error) -> {
            if (error != null) {
                result.completeExceptionally(unwrap(error));
            } else if (!page.keys().isEmpty()) {
                result.complete(page.keys().get(0));
            } else if (page.complete()) {
                if (wrapped) {
                    result.complete(null);
                } else {
                    randomStep(0, start, true, result);
                }
            } else if (wrapped && Long.compareUnsigned(page.cursor(), start) >= 0) {
                result.complete(null);
            } else {
                randomStep(page.cursor(), start, wrapped, result);
            }
        });
    }

    /** One partition's live keys from {@code from} on: the merged answer of a quorum of its replicas. */
    private record PartitionPage(List<byte[]> keys, long next) {
    }

    /** Reads one page of a partition by the ring in force, and once more by a newer ring a replica names. */
    private CompletableFuture<PartitionPage> partitionPage(int partition, long from, int maxKeys) {
        RingState state = rings.state();
        Gather first = gather(state, partition, from, maxKeys);
        return first.result.thenApply(replies -> merge(state, partition, replies))
                .exceptionallyCompose(error -> {
                    long newer = first.newerEpoch();
                    if (newer <= state.epoch()) {
                        return CompletableFuture.failedFuture(error);
                    }
                    return rings.awaitEpoch(newer, config.replicaTimeoutMillis())
                            .handle((newerState, timedOut) -> newerState)
                            .thenCompose(newerState -> {
                                if (newerState == null) {
                                    return CompletableFuture.failedFuture(error);
                                }
                                return gather(newerState, partition, from, maxKeys).result
                                        .thenApply(replies -> merge(newerState, partition, replies));
                            });
                });
    }

    private PartitionPage merge(RingState state, int partition, List<KeyScanReply> replies) {
        boolean done = true;
        long limit = -1L;
        for (KeyScanReply reply : replies) {
            if (!reply.last()) {
                done = false;
                if (Long.compareUnsigned(reply.resumeHash(), limit) < 0) {
                    limit = reply.resumeHash();
                }
            }
        }
        Map<byte[], Entry> newest = new TreeMap<>(StreamOrder::compare);
        for (KeyScanReply reply : replies) {
            for (int i = 0; i < reply.keys().length; i++) {
                byte[] key = reply.keys()[i];
                if (!done && Long.compareUnsigned(KeyHash.of(key), limit) >= 0) {
                    continue;
                }
                newest.merge(key, reply.entries()[i], Entry::merge);
            }
        }
        List<byte[]> keys = new ArrayList<>();
        newest.forEach((key, entry) -> {
            if (live.test(entry)) {
                keys.add(key);
            }
        });
        int partitions = state.current().partitionCount();
        long next = !done ? limit : partition + 1 < partitions ? firstHash(partition + 1, partitions) : 0;
        return new PartitionPage(keys, next);
    }

    /** The smallest ring hash (unsigned) that falls in {@code partition}: the inverse of {@link Ring#partitionOfHash}. */
    static long firstHash(int partition, int partitions) {
        long top32 = (((long) partition << 32) + partitions - 1) / partitions;
        return top32 << 32;
    }

    private Gather gather(RingState state, int partition, long from, int maxKeys) {
        Ring ring = state.current();
        List<NodeId> candidates = new ArrayList<>(router.upReplicas(ring, partition));
        // This node first when it is a replica: its page costs no network hop.
        if (candidates.remove(endpoints.self())) {
            candidates.add(0, endpoints.self());
        }
        int required = Consistency.QUORUM.required(config.replicas());
        KeyScanRequest request = new KeyScanRequest(partition, from, maxKeys,
                Math.min(MAX_REPLY_KEY_BYTES, config.maxMessageBytes() / 2), state.epoch());
        Gather gather = new Gather(partition, candidates, required, request);
        if (candidates.size() < required) {
            gather.result.completeExceptionally(new NotEnoughReplicasException("scan", 0, required, "partition "
                    + partition + ": only " + candidates.size() + " of " + config.replicas() + " replicas are up; down: "
                    + router.downReplicas(ring, partition) + "; retry with the same cursor"));
            return gather;
        }
        for (int i = 0; i < required; i++) {
            gather.askNext();
        }
        return gather;
    }

    /**
     * Asks the partition's up replicas, a quorum at a time, until a quorum answered: a
     * replica that fails or refuses is replaced by the next one.
     */
    private final class Gather {
        final CompletableFuture<List<KeyScanReply>> result = new CompletableFuture<>();
        private final int partition;
        private final List<NodeId> candidates;
        private final int required;
        private final KeyScanRequest request;
        private final List<KeyScanReply> replies = new ArrayList<>();
        private final List<String> failures = new ArrayList<>();
        private int next;
        private int inFlight;
        private long newerEpoch;

        Gather(int partition, List<NodeId> candidates, int required, KeyScanRequest request) {
            this.partition = partition;
            this.candidates = candidates;
            this.required = required;
            this.request = request;
        }

        synchronized long newerEpoch() {
            return newerEpoch;
        }

        void askNext() {
            NodeId node;
            synchronized (this) {
                if (next >= candidates.size()) {
                    return;
                }
                node = candidates.get(next++);
                inFlight++;
            }
            scanScheduler.execute(() -> {
                CompletableFuture<Message> answer;
                try {
                    answer = endpoints.request(node, request);
                } catch (RuntimeException e) {
                    answer = CompletableFuture.failedFuture(e);
                }
                answer.whenComplete((reply, error) -> onAnswer(node, reply, error));
            });
        }

        private void onAnswer(NodeId node, Message reply, Throwable error) {
            boolean askAnother = false;
            synchronized (this) {
                inFlight--;
                if (error == null && reply instanceof KeyScanReply page) {
                    replies.add(page);
                } else {
                    if (reply instanceof NotMine notMine) {
                        newerEpoch = Math.max(newerEpoch, notMine.epoch());
                    }
                    failures.add(node + ": " + reason(reply, error));
                    askAnother = true;
                }
                if (result.isDone()) {
                    return;
                }
                if (replies.size() >= required) {
                    result.complete(List.copyOf(replies));
                    return;
                }
                if (inFlight == 0 && next >= candidates.size()) {
                    result.completeExceptionally(new NotEnoughReplicasException("scan", replies.size(), required,
                            "partition " + partition + ": " + String.join("; ", failures)
                                    + "; retry with the same cursor"));
                    return;
                }
            }
            if (askAnother) {
                askNext();
            }
        }
    }

    private static String reason(Message reply, Throwable error) {
        if (error != null) {
            Throwable cause = unwrap(error);
            return cause instanceof PeerUnavailableException unavailable ? unavailable.reason()
                    : String.valueOf(cause.getMessage());
        }
        if (reply instanceof ErrorReply refusal) {
            return refusal.message();
        }
        if (reply instanceof NotMine notMine) {
            return notMine.reason();
        }
        return "unexpected answer " + reply.getClass().getSimpleName();
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
