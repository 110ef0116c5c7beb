package io.dkv.server;

import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attack of issue 11 on one real node: hundreds of connections each announce a
 * 1M-element command with a 16 MiB argument and then go quiet, while others stream random
 * bytes. Memory follows the bytes that arrived, so the node's heap barely grows, PING is
 * answered within a second throughout, and an honest client's SET and GET work.
 */
class HostileClientsTest {

    private static final int HOSTILE_CONNECTIONS = 300;
    private static final int RANDOM_STREAMS = 20;
    private static final int RANDOM_BYTES_PER_STREAM = 1 << 20;
    private static final long HEAP_GROWTH_BOUND = 200L << 20;
    private static final byte[] HOSTILE_HEADER = "*1048576\r\n$16777216\r\n".getBytes(StandardCharsets.US_ASCII);

    private LocalCluster cluster;
    private int port;
    private final List<Socket> sockets = new ArrayList<>();
    private final ExecutorService streams = Executors.newFixedThreadPool(RANDOM_STREAMS);

    @BeforeEach
    void startOneNode() {
        port = Ports.freeBasePort(1);
        cluster = LocalCluster.start(1, 1, port, settings -> { });
    }

    @AfterEach
    void stop() throws Exception {
        streams.shutdownNow();
        streams.awaitTermination(10, TimeUnit.SECONDS);
        for (Socket socket : sockets) {
            socket.close();
        }
        cluster.close();
    }

    @Test
    void hostileHeadersAndRandomBytesLeaveTheNodeServingWithBoundedMemory() throws Exception {
        try (Jedis honest = new Jedis("127.0.0.1", port, 10_000)) {
            assertThat(honest.set("before", "1")).isEqualTo("OK");
            long heapBefore = usedHeapAfterGc();
            long residentBefore = residentBytes();

            for (int i = 0; i < HOSTILE_CONNECTIONS; i++) {
                Socket socket = socket();
                socket.getOutputStream().write(HOSTILE_HEADER);
                socket.getOutputStream().flush();
            }
            List<Future<?>> streaming = new ArrayList<>();
            for (int s = 0; s < RANDOM_STREAMS; s++) {
                byte[] garbage = new byte[RANDOM_BYTES_PER_STREAM];
                new SplittableRandom(1_000 + s).nextBytes(garbage);
                streaming.add(streams.submit(() -> streamBytes(garbage)));
            }
            Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> cluster.servers().get(0).stats().connectionsReceived() >= HOSTILE_CONNECTIONS + RANDOM_STREAMS);

            long slowestPingNanos = 0;
            for (int round = 0; round < 50 && !(round > 5 && streaming.stream().allMatch(Future::isDone)); round++) {
                long started = System.nanoTime();
                assertThat(honest.ping()).isEqualTo("PONG");
                slowestPingNanos = Math.max(slowestPingNanos, System.nanoTime() - started);
                assertThat(honest.set("k" + round, "v" + round)).isEqualTo("OK");
                assertThat(honest.get("k" + round)).isEqualTo("v" + round);
            }
            for (Future<?> stream : streaming) {
                stream.get(30, TimeUnit.SECONDS);
            }

            long heapAfter = usedHeapAfterGc();
            long residentAfter = residentBytes();
            System.out.printf("hostile clients: heap %d -> %d MiB, resident %d -> %d MiB, slowest PING %d ms, "
                            + "clients connected %d%n",
                    heapBefore >> 20, heapAfter >> 20, residentBefore >> 20, residentAfter >> 20,
                    slowestPingNanos / 1_000_000, cluster.servers().get(0).stats().connectedClients());
            assertThat(Duration.ofNanos(slowestPingNanos)).isLessThan(Duration.ofSeconds(1));
            assertThat(heapAfter - heapBefore).as("heap growth with %d hostile connections open", HOSTILE_CONNECTIONS)
                    .isLessThan(HEAP_GROWTH_BOUND);
            assertThat(cluster.servers().get(0).stats().connectedClients())
                    .as("the quiet hostile connections are still open: nothing forced them out")
                    .isGreaterThanOrEqualTo(HOSTILE_CONNECTIONS);
            assertThat(honest.get("before")).isEqualTo("1");
        }
    }

    /** Writes the bytes in 16 KiB pieces until they are all sent or the node closes the connection. */
    private void streamBytes(byte[] bytes) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            for (int offset = 0; offset < bytes.length; offset += 16 * 1024) {
                out.write(bytes, offset, Math.min(16 * 1024, bytes.length - offset));
            }
            out.flush();
        } catch (IOException closedByTheNode) {
            // A protocol error or a limit closed it: what the node should do.
        }
    }

    private Socket socket() throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        sockets.add(socket);
        return socket;
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** This process's resident set size (VmRSS), or 0 where /proc is missing. */
    private static long residentBytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }
}
