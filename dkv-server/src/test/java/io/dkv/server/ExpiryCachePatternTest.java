package io.dkv.server;

import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.SetParams;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cache and a session store as applications write them with Jedis, unchanged, on a
 * 3-node TCP cluster (RF 3), each step through another node: set with a TTL, get, ttl,
 * expire, persist, and a key that expires and then reads as absent everywhere.
 */
class ExpiryCachePatternTest {

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

    private static Jedis client(int node) {
        return new Jedis("127.0.0.1", basePort + node - 1, 10_000);
    }

    @Test
    void cacheEntriesLiveForTheirTtlAndThenReadAsAbsent() {
        try (Jedis n1 = client(1); Jedis n2 = client(2); Jedis n3 = client(3)) {
            assertThat(n1.set("cache:user:1", "{\"name\":\"ada\"}", SetParams.setParams().ex(60))).isEqualTo("OK");
            assertThat(n2.get("cache:user:1")).isEqualTo("{\"name\":\"ada\"}");
            assertThat(n3.ttl("cache:user:1")).isBetween(58L, 60L);
            assertThat(n3.pttl("cache:user:1")).isBetween(57_000L, 60_000L);

            assertThat(n2.expire("cache:user:1", 600)).isEqualTo(1);
            assertThat(n1.ttl("cache:user:1")).isBetween(598L, 600L);
            assertThat(n3.persist("cache:user:1")).isEqualTo(1);
            assertThat(n1.ttl("cache:user:1")).isEqualTo(-1);
            assertThat(n2.persist("cache:user:1")).isEqualTo(0);
            assertThat(n2.expire("cache:missing", 60)).isEqualTo(0);
            assertThat(n2.ttl("cache:missing")).isEqualTo(-2);

            // A value rewritten with KEEPTTL keeps the expiry an EXPIRE gave it through another node.
            n1.expire("cache:user:1", 300);
            assertThat(n3.set("cache:user:1", "{\"name\":\"grace\"}", SetParams.setParams().keepTtl())).isEqualTo("OK");
            assertThat(n2.get("cache:user:1")).isEqualTo("{\"name\":\"grace\"}");
            assertThat(n2.ttl("cache:user:1")).isBetween(298L, 300L);

            assertThat(n1.psetex("cache:short", 300, "soon gone")).isEqualTo("OK");
            assertThat(n2.get("cache:short")).isEqualTo("soon gone");
            Awaitility.await("cache:short expires").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> n3.get("cache:short") == null);
            for (Jedis each : new Jedis[]{n1, n2, n3}) {
                assertThat(each.get("cache:short")).isNull();
                assertThat(each.exists("cache:short")).isFalse();
                assertThat(each.ttl("cache:short")).isEqualTo(-2);
            }
            // A miss is refilled as a cache does: the new value lives again.
            assertThat(n2.setex("cache:short", 60, "refilled")).isEqualTo("OK");
            assertThat(n1.get("cache:short")).isEqualTo("refilled");
            assertThat(n3.ttl("cache:short")).isBetween(58L, 60L);
        }
    }

    @Test
    void sessionsSlideTheirExpiryOnEveryRead() {
        try (Jedis n1 = client(1); Jedis n2 = client(2)) {
            n1.setex("session:42", 30, "user=7");
            assertThat(n2.getEx("session:42", GetExParams.getExParams().ex(1800))).isEqualTo("user=7");
            assertThat(n1.ttl("session:42")).isBetween(1798L, 1800L);
            assertThat(n1.expireTime("session:42")).isBetween(System.currentTimeMillis() / 1000 + 1797,
                    System.currentTimeMillis() / 1000 + 1801);
            assertThat(n2.getEx("session:42", GetExParams.getExParams().persist())).isEqualTo("user=7");
            assertThat(n1.ttl("session:42")).isEqualTo(-1);
            assertThat(n2.del("session:42")).isEqualTo(1);
            assertThat(n1.getEx("session:42", GetExParams.getExParams().ex(10))).isNull();
        }
    }
}
