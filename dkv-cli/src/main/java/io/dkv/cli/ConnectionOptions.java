package io.dkv.cli;

import io.dkv.cli.client.AuthOptions;
import io.dkv.cli.client.Credentials;
import io.dkv.cli.client.ClientTls;
import io.dkv.cli.client.RespClient;
import io.dkv.cli.client.TlsOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Duration;

/**
 * Where a client command connects and as whom: {@code -h HOST -p PORT --user USER -a PASSWORD
 * --tls --cacert FILE --cert FILE --key FILE}, as redis-cli spells them; the password may also
 * come from {@code DKV_PASSWORD}.
 */
public final class ConnectionOptions {

    @Option(names = {"-h", "--host"}, defaultValue = "127.0.0.1", description = "Node to connect to (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "7400", description = "Its client port (default ${DEFAULT-VALUE}).")
    int port;

    @Mixin
    AuthOptions auth = new AuthOptions();

    @Mixin
    TlsOptions tls = new TlsOptions();

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

    /** The credentials given, or {@link Credentials#NONE}. */
    public Credentials credentials() {
        return auth.credentials();
    }

    /** TLS as asked for, or {@link ClientTls#NONE}; throws IllegalArgumentException for options that cannot work. */
    public ClientTls clientTls() {
        return tls.clientTls();
    }

    RespClient connect() throws IOException {
        Credentials credentials;
        ClientTls clientTls;
        try {
            credentials = auth.credentials();
            clientTls = tls.clientTls();
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        try {
            return new RespClient(host, port, timeoutMillis, credentials, clientTls);
        } catch (IOException e) {
            throw new IOException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }
}
