package io.dkv.server.acl;

import io.dkv.server.LocalCluster;
import io.dkv.testkit.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same users on dkv and on a real redis-server started by the test, the same requests
 * sent to both (raw RESP and redis-cli): the replies must match. Redis 7.0 (Debian's) words
 * its NOPERM errors differently from 7.2, whose texts dkv uses (it reports redis_version
 * 7.2.0); the test maps 7.0's wording to 7.2's, and compares verbatim against 7.2 or later.
 */
class RedisDifferentialAuthTest {

    private static final String PASSWORD = "secret";

    private static LocalCluster dkv;
    private static int dkvPort;
    private static RedisServerProcess redis;
    private static int redisPort;
    private static boolean redisBefore72;

    @BeforeAll
    static void start() throws IOException {
        dkvPort = Ports.freeBasePort(1);
        dkv = LocalCluster.start(1, 1, dkvPort, builder -> builder.set("requirepass", PASSWORD)
                .set("users", String.join(";", AuthTest.USERS)));
        List<String> arguments = new ArrayList<>(List.of("--requirepass", PASSWORD));
        for (String user : AuthTest.USERS) {
            arguments.add("--user");
            arguments.addAll(List.of(user.substring("user ".length()).split(" ")));
        }
        redis = RedisServerProcess.start("redis-differential", "-NOAUTH Authentication required.", arguments);
        redisPort = redis.port();
        try (RawRedis client = new RawRedis(redisPort)) {
            client.call("AUTH", PASSWORD);
            String info = (String) client.call("INFO", "server");
            String version = info.lines().filter(l -> l.startsWith("redis_version:")).findFirst().orElseThrow().substring(14);
            String[] parts = version.split("\\.");
            redisBefore72 = Integer.parseInt(parts[0]) < 7 || Integer.parseInt(parts[0]) == 7 && Integer.parseInt(parts[1]) < 2;
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (redis != null) {
            redis.close();
        }
        if (dkv != null) {
            dkv.close();
        }
    }

    /** user (null: none), password, then the command. */
    private static final List<List<String>> CASES = List.of(
            List.of("-", "-", "PING"),
            List.of("-", "-", "GET", "k"),
            List.of("-", "-", "HELLO", "3"),
            List.of("-", "-", "GET"),
            List.of("-", "-", "AUTH", "wrong"),
            List.of("-", "-", "AUTH", "reader", "wrong"),
            List.of("-", "-", "AUTH", "gone", "gpass"),
            List.of("-", "-", "AUTH", "a", "b", "c"),
            List.of("-", "-", "HELLO", "3", "AUTH", "reader", "wrong"),
            List.of("default", PASSWORD, "ACL", "WHOAMI"),
            List.of("default", PASSWORD, "ACL", "USERS"),
            List.of("default", PASSWORD, "ACL", "LIST"),
            List.of("default", PASSWORD, "ACL", "CAT"),
            List.of("default", PASSWORD, "ACL", "CAT", "nosuch"),
            List.of("default", PASSWORD, "ACL", "NOSUCH"),
            List.of("default", PASSWORD, "ACL", "USERS", "x"),
            List.of("reader", "rpass", "SET", "k", "v"),
            List.of("reader", "rpass", "GET", "k"),
            List.of("reader", "rpass", "PING"),
            List.of("reader", "rpass", "ACL", "WHOAMI"),
            List.of("reader", "rpass", "CONFIG", "GET", "port"),
            List.of("app", "apass", "SET", "other", "v"),
            List.of("app", "apass", "SET", "app:1", "v"),
            List.of("app", "apass", "MGET", "app:1", "other"),
            List.of("app", "apass", "DEL", "app:x", "other"),
            List.of("app", "apass", "ACL", "WHOAMI"),
            List.of("writer", "wpass", "GET", "nothing-here"),
            List.of("writer", "wpass", "SET", "other", "v"),
            List.of("writer", "wpass", "SET", "w:1", "v"),
            List.of("writer", "wpass", "MSET", "w:2", "v", "other", "v"),
            List.of("writer", "wpass", "ACL", "LIST"),
            List.of("writer", "wpass", "CLIENT", "LIST"));

    @Test
    void authAndAclRepliesMatchRedis() {
        for (List<String> c : CASES) {
            List<String> request = c.subList(2, c.size());
            Object fromRedis = normalize(ask(redisPort, c.get(0), c.get(1), request), c.get(0));
            Object fromDkv = ask(dkvPort, c.get(0), c.get(1), request);
            if (request.get(0).equals("HELLO") && fromRedis instanceof List) {
                continue;
            }
            assertThat(fromDkv).as("%s as %s", String.join(" ", request), c.get(0)).isEqualTo(fromRedis);
        }
    }

    @Test
    void redisCliSeesTheSameErrors() throws Exception {
        List<List<String>> cases = List.of(
                List.of("GET", "k"),
                List.of("--user", "reader", "--pass", "wrong", "GET", "k"),
                List.of("--user", "reader", "--pass", "rpass", "SET", "k", "v"),
                List.of("--user", "app", "--pass", "apass", "GET", "other"),
                List.of("--user", "app", "--pass", "apass", "SET", "app:cli", "v"),
                List.of("-a", PASSWORD, "ACL", "WHOAMI"));
        for (List<String> args : cases) {
            String fromRedis = redisCli(redisPort, args);
            String fromDkv = redisCli(dkvPort, args);
            if (redisBefore72) {
                String user = args.contains("--user") ? args.get(args.indexOf("--user") + 1) : "default";
                fromRedis = normalizeText(fromRedis, user);
            }
            assertThat(fromDkv).as("redis-cli %s", String.join(" ", args)).isEqualTo(fromRedis);
        }
    }

    @Test
    void everyCommandRedisKnowsHasRedissCategories() {
        Map<String, List<String>> differences = new LinkedHashMap<>();
        try (RawRedis fromRedis = new RawRedis(redisPort); RawRedis fromDkv = new RawRedis(dkvPort)) {
            fromRedis.call("AUTH", PASSWORD);
            fromDkv.call("AUTH", PASSWORD);
            for (Object name : (List<?>) fromDkv.call("COMMAND", "LIST")) {
                List<?> info = (List<?>) fromRedis.call("COMMAND", "INFO", (String) name);
                if (info.get(0) == null) {
                    continue; // a dkv command
                }
                List<?> redisInfo = (List<?>) info.get(0);
                List<String> redisCategories = new ArrayList<>();
                ((List<?>) redisInfo.get(6)).forEach(category -> redisCategories.add((String) category));
                List<String> dkvCategories = new ArrayList<>();
                for (Object command : (List<?>) fromDkv.call("ACL", "CAT")) {
                    if (((List<?>) fromDkv.call("ACL", "CAT", (String) command)).contains(name)) {
                        dkvCategories.add("@" + command);
                    }
                }
                if (!new HashSet<>(redisCategories).equals(new HashSet<>(dkvCategories))) {
                    differences.put((String) name, List.of(String.join(" ", redisCategories), String.join(" ", dkvCategories)));
                }
                Object dkvInfo = ((List<?>) fromDkv.call("COMMAND", "INFO", (String) name)).get(0);
                assertThat(((List<?>) dkvInfo).get(6)).as("COMMAND INFO %s categories", name).isEqualTo(redisInfo.get(6));
            }
        }
        assertThat(differences).as("command: [redis's categories, dkv's]").isEmpty();
    }

    private static Object ask(int port, String user, String password, List<String> request) {
        try (RawRedis client = new RawRedis(port)) {
            if (!user.equals("-")) {
                assertThat(client.call("AUTH", user, password)).isEqualTo("OK");
            }
            return client.call(request.toArray(String[]::new));
        }
    }

    private static Object normalize(Object reply, String user) {
        return redisBefore72 && reply instanceof String text ? normalizeText(text, user) : reply;
    }

    /** Redis 7.0's NOPERM wording in 7.2's form. */
    private static String normalizeText(String text, String user) {
        return text.replace("NOPERM this user has no permissions to access one of the keys used as arguments",
                        "NOPERM No permissions to access a key")
                .replace("NOPERM this user has no permissions to run", "NOPERM User " + user + " has no permissions to run");
    }

    private static String redisCli(int port, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port), "--no-auth-warning"));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return output;
    }
}
