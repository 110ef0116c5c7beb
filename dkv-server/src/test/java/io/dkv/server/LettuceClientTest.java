package io.dkv.server;

import io.dkv.testkit.Ports;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Lettuce, which handshakes with HELLO 3 and pipelines asynchronously, against a 3-node cluster. */
class LettuceClientTest {

    private static LocalCluster cluster;
    private static int basePort;

    @BeforeAll
    static void start() {
        basePort = Ports.freeBasePort(3);
        cluster = LocalCluster.start(3, 3, basePort);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static RedisClient client(int node, ProtocolVersion protocol) {
        RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(basePort + node - 1)
                .withTimeout(Duration.ofSeconds(10)).build());
        client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
        return client;
    }

    @Test
    void resp3HandshakeAndCommands() {
        RedisClient client = client(1, ProtocolVersion.RESP3);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            assertThat(redis.ping()).isEqualTo("PONG");
            assertThat(redis.set("lettuce", "resp3")).isEqualTo("OK");
            assertThat(redis.get("lettuce")).isEqualTo("resp3");
            assertThat(redis.get("lettuce-missing")).isNull();
            assertThat(redis.mget("lettuce", "lettuce-missing"))
                    .containsExactly(KeyValue.just("lettuce", "resp3"), KeyValue.empty("lettuce-missing"));
            assertThat(redis.exists("lettuce", "lettuce-missing")).isEqualTo(1);
            assertThat(redis.del("lettuce")).isEqualTo(1);
            assertThat(redis.get("lettuce")).isNull();
        } finally {
            client.shutdown();
        }
    }

    @Test
    void resp2AndAsynchronousPipelining() throws Exception {
        RedisClient client = client(2, ProtocolVersion.RESP2);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisAsyncCommands<String, String> redis = connection.async();
            List<RedisFuture<String>> writes = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                writes.add(redis.set("pipelined-" + i, "value-" + i));
            }
            for (RedisFuture<String> write : writes) {
                assertThat(write.get(30, TimeUnit.SECONDS)).isEqualTo("OK");
            }
            List<RedisFuture<String>> reads = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                reads.add(redis.get("pipelined-" + i));
            }
            for (int i = 0; i < 2_000; i++) {
                assertThat(reads.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("value-" + i);
            }
        } finally {
            client.shutdown();
        }
    }
}
