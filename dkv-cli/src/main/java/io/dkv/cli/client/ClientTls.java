package io.dkv.cli.client;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether and how a client speaks TLS to a node, like redis-cli's {@code --tls --cacert FILE
 * --cert FILE --key FILE}. The node's certificate is checked against the authority (the JDK's
 * trusted authorities without {@code --cacert}), not against the host name, as redis-cli does.
 * Immutable; each call builds a fresh context from the files.
 *
 * @param enabled whether to speak TLS at all
 * @param caCert  the authority the node's certificate must come from (PEM), or {@code null}
 * @param cert    this client's certificate (PEM), for nodes that ask for one, or {@code null}
 * @param key     its private key (PEM, PKCS#8), or {@code null}
 */
public record ClientTls(boolean enabled, Path caCert, Path cert, Path key) {

    /** Plain text. */
    public static final ClientTls NONE = new ClientTls(false, null, null, null);

    /** @throws IllegalArgumentException for options that cannot work, naming them */
    public ClientTls {
        if (!enabled && (caCert != null || cert != null || key != null)) {
            throw new IllegalArgumentException("--cacert, --cert and --key need --tls");
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException(cert == null ? "--key needs --cert" : "--cert needs --key");
        }
        checkReadable("--cacert", caCert);
        checkReadable("--cert", cert);
        checkReadable("--key", key);
    }

    /** For blocking sockets ({@link RespClient}): the JDK's TLS. */
    public SSLSocketFactory socketFactory() {
        return ((JdkSslContext) context(SslProvider.JDK)).context().getSocketFactory();
    }

    /** For Netty connections ({@code dkv bench}): OpenSSL when it loads, the JDK's TLS otherwise. */
    public SslContext nettyContext() {
        return context(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
    }

    private SslContext context(SslProvider provider) {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(provider);
        if (caCert != null) {
            builder.trustManager(caCert.toFile());
        }
        try {
            if (cert != null) {
                builder.keyManager(cert.toFile(), key.toFile());
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use --cacert " + caCert + ", --cert " + cert + ", --key " + key
                    + ": " + e.getMessage(), e);
        }
    }

    private static void checkReadable(String option, Path file) {
        if (file != null && !Files.isReadable(file)) {
            throw new IllegalArgumentException(option + " " + file + ": no such file, or not readable");
        }
    }
}
