package io.dkv.bench;

import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Preference-list lookup on one thread: hash a key, find its partition, fetch its replicas.
 * Run: {@code java -jar dkv-bench/target/benchmarks.jar RingLookup}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RingLookupBenchmark {

    @Param({"100", "1000"})
    int nodes;

    private Ring ring;
    private byte[][] keys;
    private int next;

    @Setup
    public void setUp() {
        ring = Ring.of(nodes, 3);
        SplittableRandom random = new SplittableRandom(1);
        keys = new byte[4096][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = ("key:" + Long.toHexString(random.nextLong())).getBytes(StandardCharsets.US_ASCII);
        }
    }

    @Benchmark
    public List<NodeId> preferenceList() {
        byte[] key = keys[next++ & (keys.length - 1)];
        return ring.replicasOf(key);
    }
}
