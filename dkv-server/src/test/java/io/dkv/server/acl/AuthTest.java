package io.dkv.server.acl;

import io.dkv.server.LocalCluster;
import io.dkv.testkit.Ports;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * AUTH and ACL users on a password-protected 3-node cluster, through Jedis, Lettuce and raw
 * RESP: what a client sees before authenticating, with a wrong password, as a read-only user,
 * as a user limited to {@code app:*}, and through {@code HELLO 3 AUTH}.
 */
class AuthTest {

    static final List<String> USERS = List.of(
            "user reader on >rpass ~* +@read",
            "user app on >apass ~app:* +@all",
            "user writer on >wpass %W~w:* %R~* +@all -@admin",
            "user gone off >gpass ~* +@all");

    private static LocalCluster cluster;
    private static int port;

    @BeforeAll
    static void start() {
        port = Ports.freeBasePort(3);
        cluster = LocalCluster.start(3, 3, port, builder -> {
            builder.set("requirepass", "secret");
            builder.set("users", String.join(";", USERS));
        });
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static Jedis jedis() {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder().timeoutMillis(10_000).build());
    }

    @Test
    void beforeAuthenticationOnlyTheHandshakeCommandsAreAccepted() {
        try (RawRedis redis = new RawRedis(port)) {
            assertThat(redis.call("PING")).isEqualTo("-NOAUTH Authentication required.");
            assertThat(redis.call("GET", "k")).isEqualTo("-NOAUTH Authentication required.");
            assertThat(redis.call("DKV.STATUS")).isEqualTo("-NOAUTH Authentication required.");
            assertThat(redis.call("FOO")).asString().startsWith("-ERR unknown command 'FOO'");
            assertThat(redis.call("GET")).isEqualTo("-ERR wrong number of arguments for 'get' command");
            assertThat(redis.call("HELLO", "3")).asString().startsWith("-NOAUTH HELLO must be called with the client already authenticated");
            assertThat(redis.call("AUTH", "wrong")).isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.");
            assertThat(redis.call("AUTH", "gone", "gpass")).as("a disabled user")
                    .isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.");
            assertThat(redis.call("AUTH", "nobody", "secret")).isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.");
            assertThat(redis.call("AUTH", "secret")).isEqualTo("OK");
            assertThat(redis.call("PING")).isEqualTo("PONG");
            assertThat(redis.call("ACL", "WHOAMI")).isEqualTo("default");
            assertThat(redis.call("RESET")).isEqualTo("RESET");
            assertThat(redis.call("PING")).as("RESET forgets the user").isEqualTo("-NOAUTH Authentication required.");
            assertThat(redis.call("QUIT")).isEqualTo("OK");
        }
    }

    @Test
    void jedisWithoutPasswordGetsNoauthAndWithTheWrongOneWrongpass() {
        try (Jedis jedis = jedis()) {
            assertThatThrownBy(() -> jedis.set("k", "v")).isInstanceOf(JedisAccessControlException.class)
                    .hasMessage("NOAUTH Authentication required.");
            assertThatThrownBy(() -> jedis.auth("wrong")).isInstanceOf(JedisAccessControlException.class)
                    .hasMessage("WRONGPASS invalid username-password pair or user is disabled.");
            assertThat(jedis.auth("secret")).isEqualTo("OK");
            assertThat(jedis.set("k", "v")).isEqualTo("OK");
            assertThat(jedis.get("k")).isEqualTo("v");
        }
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", port + 1),
                DefaultJedisClientConfig.builder().user("app").password("apass").build())) {
            assertThat(jedis.aclWhoAmI()).as("Jedis authenticates on connect, on any node").isEqualTo("app");
        }
    }

    @Test
    void aReadOnlyUserCannotWrite() {
        try (Jedis jedis = jedis()) {
            jedis.auth("secret");
            jedis.set("shared", "1");
            jedis.auth("reader", "rpass");
            assertThat(jedis.get("shared")).isEqualTo("1");
            assertThat(jedis.mget("shared", "other")).containsExactly("1", null);
            assertThatThrownBy(() -> jedis.set("shared", "2")).isInstanceOf(JedisAccessControlException.class)
                    .hasMessage("NOPERM User reader has no permissions to run the 'set' command");
            assertThatThrownBy(() -> jedis.del("shared")).hasMessage("NOPERM User reader has no permissions to run the 'del' command");
            assertThatThrownBy(() -> jedis.aclWhoAmI())
                    .hasMessage("NOPERM User reader has no permissions to run the 'acl|whoami' command");
            assertThatThrownBy(() -> jedis.ping()).as("PING is @connection, not @read")
                    .hasMessage("NOPERM User reader has no permissions to run the 'ping' command");
        }
    }

    @Test
    void keyPatternsLimitEveryKeyACommandNames() {
        try (Jedis jedis = jedis()) {
            jedis.auth("app", "apass");
            assertThat(jedis.set("app:1", "a")).isEqualTo("OK");
            assertThat(jedis.get("app:1")).isEqualTo("a");
            assertThatThrownBy(() -> jedis.set("other", "x")).hasMessage("NOPERM No permissions to access a key");
            assertThatThrownBy(() -> jedis.mget("app:1", "other")).hasMessage("NOPERM No permissions to access a key");
            assertThatThrownBy(() -> jedis.mset("app:2", "b", "other", "x")).hasMessage("NOPERM No permissions to access a key");
            assertThat(jedis.get("app:2")).as("a refused MSET writes nothing").isNull();
            assertThat(jedis.exists("app:1", "app:2")).isEqualTo(1);
            assertThatThrownBy(() -> jedis.sendCommand(() -> "DKV.GET".getBytes(), "other"))
                    .hasMessage("NOPERM No permissions to access a key");

            jedis.auth("writer", "wpass");
            assertThat(jedis.get("app:1")).as("%R~* reads anything").isEqualTo("a");
            assertThat(jedis.set("w:1", "x")).isEqualTo("OK");
            assertThatThrownBy(() -> jedis.set("app:1", "x")).as("%W~w:* writes only w:*")
                    .hasMessage("NOPERM No permissions to access a key");
            assertThatThrownBy(() -> jedis.configGet("*")).as("-@admin")
                    .hasMessage("NOPERM User writer has no permissions to run the 'config|get' command");
            assertThat(jedis.clientId()).as("CLIENT ID is not @admin").isPositive();
        }
    }

    @Test
    void aclSubcommandsAnswerAsRedisDoes() {
        try (Jedis jedis = jedis()) {
            jedis.auth("default", "secret");
            assertThat(jedis.aclWhoAmI()).isEqualTo("default");
            assertThat(jedis.aclUsers()).containsExactly("app", "default", "gone", "reader", "writer");
            assertThat(jedis.aclList()).containsExactly(
                    "user app on #" + AclUser.sha256("apass") + " ~app:* resetchannels +@all",
                    "user default on #" + AclUser.sha256("secret") + " ~* &* +@all",
                    "user gone off #" + AclUser.sha256("gpass") + " ~* resetchannels +@all",
                    "user reader on #" + AclUser.sha256("rpass") + " ~* resetchannels -@all +@read",
                    "user writer on #" + AclUser.sha256("wpass") + " %W~w:* %R~* resetchannels +@all -@admin");
            assertThat(jedis.aclCat()).contains("read", "write", "admin", "connection", "fast", "slow", "dangerous").hasSize(21);
            assertThat(jedis.aclCat("read")).contains("get", "mget", "exists", "dbsize", "dkv.get", "dkv.replicas")
                    .doesNotContain("set", "ping");
            assertThat(jedis.aclCat("write")).contains("set", "mset", "del", "dkv.put");
            assertThat(jedis.aclCat("admin")).contains("config|get", "client|list", "acl|list", "dkv.status")
                    .doesNotContain("get");
            assertThat(jedis.aclCat("connection")).contains("ping", "auth", "hello", "dkv.consistency");
            assertThatThrownBy(() -> jedis.aclCat("nosuch")).isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR Unknown category 'nosuch'");
            assertThat(jedis.clientInfo()).contains("user=default");
        }
    }

    @Test
    void helloThreeAuthWithLettuce() {
        RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port + 2)
                .withAuthentication("reader", "rpass".toCharArray()).withTimeout(Duration.ofSeconds(10)).build());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            assertThat(connection.sync().get("missing")).isNull();
            assertThatThrownBy(() -> connection.sync().set("k", "v")).isInstanceOf(RedisCommandExecutionException.class)
                    .hasMessage("NOPERM User reader has no permissions to run the 'set' command");
        } finally {
            client.shutdown();
        }
        try (RawRedis redis = new RawRedis(port)) {
            assertThat(redis.call("HELLO", "3", "AUTH", "reader", "wrong"))
                    .isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.");
            assertThat(redis.call("HELLO", "2", "AUTH", "app", "apass", "SETNAME", "mine")).asList().startsWith("server", "dkv");
            assertThat(redis.call("CLIENT", "GETNAME")).isEqualTo("mine");
            assertThat(redis.call("ACL", "WHOAMI")).isEqualTo("app");
        }
    }

    @Test
    void infoSaysAPasswordIsRequiredAndNoWarningOnLoopback() {
        try (Jedis jedis = jedis()) {
            jedis.auth("secret");
            assertThat(jedis.info("dkv")).contains("password_required:1").contains("protected_mode_warning:0");
        }
    }
}
