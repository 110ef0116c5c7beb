package io.dkv.cli;

import io.dkv.cli.client.RespClient;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Duration;

/** Where a client command connects: {@code -h HOST -p PORT}, as redis-cli spells them. */
public final class ConnectionOptions {

    @Option(names = {"-h", "--host"}, defaultValue = "127.0.0.1", description = "Node to connect to (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "7400", description = "Its client port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--timeout-ms", defaultValue = "10000", description = "Give up after this long (default ${DEFAULT-VALUE}).")
    int timeoutMillis;

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public Duration timeout() {
        return Duration.ofMillis(timeoutMillis);
    }

    RespClient connect() throws IOException {
        try {
            return new RespClient(host, port, timeoutMillis);
        } catch (IOException e) {
            throw new IOException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }
}
