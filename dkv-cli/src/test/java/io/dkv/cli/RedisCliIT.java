package io.dkv.cli;

import io.dkv.cli.ChildProcesses.Result;
import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code java -jar dkv.jar local} (3 nodes, RF 3) as a child process, used through the real
 * {@code redis-cli} and through {@code dkv put/get/del}, each a process of its own.
 *
 * <p>redis-cli formats replies for a terminal ({@code (nil)}, {@code 1) "v"}) only when its
 * output is a tty; here it is a file, so the plain form is checked, and {@code --no-raw}
 * forces the terminal form.
 */
class RedisCliIT {

    private static final String REDIS_CLI = "redis-cli";

    private static Path workDir;
    private static Path localLog;
    private static Process local;
    private static int basePort;

    @BeforeAll
    static void startDkvLocal() {
        workDir = ChildProcesses.workDir("redis-cli-it");
        localLog = workDir.resolve("dkv-local.log");
        basePort = Ports.freeBasePort(3);
        local = ChildProcesses.start(ChildProcesses.dkvCommand(List.of("-Xmx256m"),
                "local", "--nodes", "3", "--replicas", "3", "--base-port", String.valueOf(basePort)), localLog);
        try {
            Awaitility.await("all 3 nodes of dkv local answer redis-cli PING")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250))
                    .failFast("dkv local exited", () -> !local.isAlive())
                    .until(() -> {
                        for (int node = 1; node <= 3; node++) {
                            if (!redisCli(node, "PING").stdout().equals("PONG\n")) {
                                return false;
                            }
                        }
                        return true;
                    });
        } catch (RuntimeException | Error e) {
            throw new AssertionError(e.getMessage() + "\nlast lines of " + localLog + ":\n"
                    + ChildProcesses.tail(localLog, 40), e);
        }
    }

    @AfterAll
    static void stopDkvLocal() {
        ChildProcesses.stop(local);
    }

    @Test
    void setGetDelThroughDifferentNodes() {
        assertThat(redisCli(1, "SET", "greeting", "hello world").stdout()).isEqualTo("OK\n");
        assertThat(redisCli(2, "GET", "greeting").stdout()).isEqualTo("hello world\n");
        assertThat(redisCli(3, "--no-raw", "GET", "greeting").stdout()).isEqualTo("\"hello world\"\n");

        assertThat(redisCli(3, "DEL", "greeting").stdout()).isEqualTo("1\n");
        assertThat(redisCli(1, "DEL", "greeting").stdout()).isEqualTo("0\n");
        assertThat(redisCli(2, "--no-raw", "GET", "greeting").stdout()).isEqualTo("(nil)\n");
    }

    @Test
    void missingKeyIsAnEmptyLineWhenPipedAndNilInTerminalFormat() {
        Result piped = redisCli(1, "GET", "never-written");
        Result terminal = redisCli(1, "--no-raw", "GET", "never-written");

        assertThat(piped.stdout()).as(piped.describe()).isEqualTo("\n");
        assertThat(terminal.stdout()).as(terminal.describe()).isEqualTo("(nil)\n");
    }

    @Test
    void mgetWithAMissingKey() {
        assertThat(redisCli(1, "SET", "mget-a", "1").stdout()).isEqualTo("OK\n");
        assertThat(redisCli(2, "SET", "mget-c", "3").stdout()).isEqualTo("OK\n");

        assertThat(redisCli(3, "MGET", "mget-a", "mget-missing", "mget-c").stdout()).isEqualTo("1\n\n3\n");
        assertThat(redisCli(3, "--no-raw", "MGET", "mget-a", "mget-missing", "mget-c").stdout())
                .isEqualTo("1) \"1\"\n2) (nil)\n3) \"3\"\n");
    }

    @Test
    void errorsAreShownAsErrors() {
        Result unknown = redisCli(1, "--no-raw", "NOSUCHCOMMAND", "x");

        assertThat(unknown.stdout()).as(unknown.describe()).startsWith("(error) ERR unknown command 'NOSUCHCOMMAND'");
        assertThat(redisCli(1, "PING").stdout()).isEqualTo("PONG\n");
    }

    @Test
    void dkvPutGetDel() {
        Result put = dkv(1, "put", "cli-key", "cli value");
        assertThat(put.exitCode()).as(put.describe()).isZero();
        assertThat(put.stdout()).as(put.describe()).isEqualTo("OK\n");

        Result get = dkv(2, "get", "cli-key");
        assertThat(get.exitCode()).as(get.describe()).isZero();
        assertThat(get.stdout()).as("the raw value, no newline when not on a terminal").isEqualTo("cli value");
        assertThat(redisCli(3, "GET", "cli-key").stdout()).isEqualTo("cli value\n");

        Result del = dkv(3, "del", "cli-key");
        assertThat(del.exitCode()).as(del.describe()).isZero();
        assertThat(del.stdout()).isEqualTo("1\n");

        Result missing = dkv(1, "get", "cli-key");
        assertThat(missing.exitCode()).as(missing.describe()).isEqualTo(1);
        assertThat(missing.stdout()).as(missing.describe()).isEmpty();
        assertThat(missing.stderr()).as(missing.describe()).isEqualTo("(nil)\n");
    }

    @Test
    void dkvGetReadsWhatRedisCliWrote() {
        assertThat(redisCli(3, "SET", "from-redis-cli", "written by redis-cli").stdout()).isEqualTo("OK\n");

        Result get = dkv(1, "get", "from-redis-cli", "--consistency", "ALL");

        assertThat(get.exitCode()).as(get.describe()).isZero();
        assertThat(get.stdout()).isEqualTo("written by redis-cli");
    }

    @Test
    void dkvGetOfAKeyThatNeverExisted() {
        Result missing = dkv(2, "get", "no-such-key-ever");

        assertThat(missing.exitCode()).as(missing.describe()).isEqualTo(1);
        assertThat(missing.stdout()).isEmpty();
        assertThat(missing.stderr()).isEqualTo("(nil)\n");
    }

    private static Result redisCli(int node, String... args) {
        List<String> command = new ArrayList<>(List.of(REDIS_CLI, "-h", "127.0.0.1", "-p", String.valueOf(port(node))));
        command.addAll(List.of(args));
        return ChildProcesses.run(workDir, command);
    }

    private static Result dkv(int node, String... args) {
        List<String> withPort = new ArrayList<>(List.of(args));
        withPort.addAll(List.of("-h", "127.0.0.1", "-p", String.valueOf(port(node))));
        return ChildProcesses.dkv(workDir, withPort.toArray(String[]::new));
    }

    private static int port(int node) {
        return basePort + node - 1;
    }
}
