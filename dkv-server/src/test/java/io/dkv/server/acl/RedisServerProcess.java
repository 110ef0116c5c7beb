package io.dkv.server.acl;

import io.dkv.testkit.Ports;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server (Debian's) started by a differential test on a free loopback port,
 * without persistence, its output in a temporary log file. Closing it stops it.
 */
public final class RedisServerProcess implements AutoCloseable {

    private final Process process;
    private final int port;

    private RedisServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts redis-server with {@code extraArguments} (e.g. {@code --requirepass}) and waits
     * until it answers PING, with {@code pingReply} (PONG, or NOAUTH when it has a password).
     */
    public static RedisServerProcess start(String logName, String pingReply, List<String> extraArguments)
            throws IOException {
        int port = Ports.freeBasePort(1);
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
        command.addAll(extraArguments);
        Path log = Files.createTempFile(logName, ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RedisServerProcess redis = new RedisServerProcess(process, port);
        Awaitility.await("redis-server answers (log: " + log + ")").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .failFast("redis-server exited (log: " + log + ")", () -> !process.isAlive())
                .until(() -> {
                    try (RawRedis client = new RawRedis(port)) {
                        return client.call("PING").equals(pingReply);
                    }
                });
        return redis;
    }

    /** Starts redis-server without a password. */
    public static RedisServerProcess start(String logName) throws IOException {
        return start(logName, "PONG", List.of());
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
