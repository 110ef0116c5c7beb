package io.dkv.cli.client;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --tls --cacert FILE --cert FILE --key FILE}, as redis-cli spells them: TLS to a node's
 * {@code tls-port} (base port + 3000 + i by default).
 */
public final class TlsOptions {

    @Option(names = "--tls", description = "Speak TLS (to the node's tls-port, by default base port + 3000 + i).")
    boolean tls;

    @Option(names = "--cacert", paramLabel = "FILE", description = "Authority the node's certificate must come from (PEM; default: the JDK's).")
    Path caCert;

    @Option(names = "--cert", paramLabel = "FILE", description = "Client certificate (PEM), for nodes with tls-auth-clients.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "The client certificate's private key (PEM, PKCS#8).")
    Path key;

    /**
     * The TLS asked for, or {@link ClientTls#NONE}.
     *
     * @throws IllegalArgumentException for options that cannot work, naming them
     */
    public ClientTls clientTls() {
        return new ClientTls(tls, caCert, cert, key);
    }
}
