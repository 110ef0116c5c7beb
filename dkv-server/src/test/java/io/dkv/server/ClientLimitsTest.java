package io.dkv.server;

import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client limits of docs/ARCHITECTURE.md "Limits and bad input" on one real node over
 * loopback: {@code maxclients}, {@code timeout}, {@code max-keys-per-command} and
 * {@code client-output-buffer-limit}, each with the node still serving everyone else.
 */
class ClientLimitsTest {

    private static final int MIB = 1 << 20;

    private LocalCluster cluster;
    private int port;
    private final List<Socket> sockets = new ArrayList<>();

    private void start(Consumer<io.dkv.server.config.SettingsBuilder> adjust) {
        port = Ports.freeBasePort(1);
        cluster = LocalCluster.start(1, 1, port, adjust);
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void beyondMaxclientsANewConnectionIsToldAndClosed() throws IOException {
        start(settings -> settings.set("maxclients", "3"));
        List<Jedis> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Jedis jedis = new Jedis("127.0.0.1", port, 5_000);
            assertThat(jedis.ping()).isEqualTo("PONG");
            clients.add(jedis);
        }

        assertThat(clients.get(0).configGet("maxclients")).containsEntry("maxclients", "3");

        Socket fourth = socket();
        assertThat(readAll(fourth.getInputStream())).isEqualTo("-ERR max number of clients reached\r\n");

        clients.remove(0).close();
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (Jedis again = new Jedis("127.0.0.1", port, 5_000)) {
                assertThat(again.ping()).isEqualTo("PONG");
            }
        });
        clients.forEach(Jedis::close);
    }

    @Test
    void anIdleClientIsClosedAfterTimeoutAndABusyOneIsNot() throws IOException {
        start(settings -> settings.set("timeout", "1"));
        Socket idle = socket();
        try (Jedis busy = new Jedis("127.0.0.1", port, 5_000)) {
            long started = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> busy.ping().equals("PONG") && cluster.servers().get(0).stats().connectedClients() == 1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThat(readAll(idle.getInputStream())).as("closed without a reply").isEmpty();
            assertThat(busy.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void commandsWithMoreKeysThanTheCapAreRefusedAndSmallerOnesWork() {
        start(settings -> settings.set("max-keys-per-command", "5"));
        try (Jedis jedis = new Jedis("127.0.0.1", port, 5_000)) {
            assertThat(jedis.mset("a", "1", "b", "2", "c", "3", "d", "4", "e", "5")).isEqualTo("OK");
            assertThat(jedis.mget("a", "b", "c", "d", "e")).containsExactly("1", "2", "3", "4", "5");
            assertThat(jedis.exists("a", "b", "c", "d", "e")).isEqualTo(5);

            assertThatThrownBy(() -> jedis.mget("a", "b", "c", "d", "e", "f")).isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR too many keys for 'mget': 6, at most 5 per command (max-keys-per-command)");
            assertThatThrownBy(() -> jedis.mset("a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6"))
                    .hasMessageContaining("too many keys for 'mset': 6");
            assertThatThrownBy(() -> jedis.del("a", "b", "c", "d", "e", "f")).hasMessageContaining("too many keys for 'del'");
            assertThatThrownBy(() -> jedis.exists("a", "b", "c", "d", "e", "f")).hasMessageContaining("too many keys for 'exists'");

            assertThat(jedis.del("a", "b", "c", "d", "e")).isEqualTo(5);
        }
    }

    @Test
    void aClientThatDoesNotReadItsRepliesIsDisconnectedAndOthersGoOn() throws IOException {
        start(settings -> settings.set("max-value-bytes", String.valueOf(MIB))
                .set("client-output-buffer-limit", "normal 8mb 0 0"));
        byte[] value = new byte[MIB];
        try (Jedis honest = new Jedis("127.0.0.1", port, 10_000)) {
            honest.set("big".getBytes(StandardCharsets.US_ASCII), value);

            Socket greedy = socket();
            greedy.setReceiveBufferSize(4096);
            OutputStream out = greedy.getOutputStream();
            byte[] get = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".getBytes(StandardCharsets.US_ASCII);
            boolean closedByNode = false;
            // Pipelines up to 100,000 GETs of 1 MiB (100 GB of replies) and never reads one.
            for (int batch = 0; batch < 1_000 && !closedByNode; batch++) {
                byte[] hundred = new byte[get.length * 100];
                for (int i = 0; i < 100; i++) {
                    System.arraycopy(get, 0, hundred, i * get.length, get.length);
                }
                try {
                    out.write(hundred);
                    out.flush();
                } catch (IOException e) {
                    closedByNode = true;
                }
                if (cluster.servers().get(0).stats().connectedClients() == 1) {
                    closedByNode = true;
                }
            }

            Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> cluster.servers().get(0).stats().connectedClients() == 1);
            assertThat(honest.ping()).isEqualTo("PONG");
            assertThat(honest.get("big".getBytes(StandardCharsets.US_ASCII))).hasSize(MIB);
            assertThat(honest.set("after", "ok")).isEqualTo("OK");
        }
    }

    private Socket socket() throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        sockets.add(socket);
        return socket;
    }

    /** Everything the node sends until it closes the connection. */
    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
}
