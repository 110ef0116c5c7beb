package io.dkv.server.net;

import io.dkv.core.InvalidConfigException;
import io.dkv.core.NodeId;
import io.dkv.server.config.TlsSettings;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The TLS of one node's ports, built once when the node starts from its {@link TlsSettings}:
 * reads and checks the certificate files (a bad one stops the node with a message naming the
 * file and its setting) and puts an {@code SslHandler} at the head of each connection's
 * pipeline that needs one. Uses OpenSSL (BoringSSL, from netty-tcnative) when its native
 * library loads, the JDK's TLS otherwise; {@code -Ddkv.tls.jdk=true} forces the JDK's.
 *
 * <p>Immutable and thread-safe: the contexts are shared by every connection.
 *
 * <p>Certificates are checked against the authority only, not against host names, as Redis
 * does for its clients and its cluster bus: holding a certificate from the cluster's authority
 * is what makes a peer a member.
 */
public final class NodeTls {

    /** A node without TLS: every {@code secure} method leaves the pipeline as it is. */
    public static final NodeTls OFF = new NodeTls(null, null, null, null, null, null);

    private final NodeId node;
    private final SslProvider provider;
    private final SslContext clients;
    private final SslContext http;
    private final SslContext peersInbound;
    private final SslContext peersOutbound;
    private final Map<String, Long> peerWarnings = new ConcurrentHashMap<>();

    private NodeTls(NodeId node, SslProvider provider, SslContext clients, SslContext http,
                    SslContext peersInbound, SslContext peersOutbound) {
        this.node = node;
        this.provider = provider;
        this.clients = clients;
        this.http = http;
        this.peersInbound = peersInbound;
        this.peersOutbound = peersOutbound;
    }

    /**
     * Reads the node's certificate, key and authority and builds the contexts its settings ask
     * for; {@link #OFF} when TLS is off.
     *
     * @throws InvalidConfigException naming the setting and file that is missing, unreadable or
     *                                not PEM of the right kind
     */
    public static NodeTls load(NodeId node, TlsSettings settings) {
        if (!settings.enabled()) {
            return OFF;
        }
        checkCertificates("tls-cert-file", settings.certFile());
        checkReadable("tls-key-file", settings.keyFile());
        if (settings.caCertFile() != null) {
            checkCertificates("tls-ca-cert-file", settings.caCertFile());
        }
        SslProvider provider = provider();
        SslContext clients = settings.port() == 0 ? null : server(settings, provider, switch (settings.authClients()) {
            case YES -> ClientAuth.REQUIRE;
            case OPTIONAL -> ClientAuth.OPTIONAL;
            case NO -> ClientAuth.NONE;
        });
        SslContext http = settings.http() ? server(settings, provider, ClientAuth.NONE) : null;
        SslContext peersInbound = settings.cluster() ? server(settings, provider, ClientAuth.REQUIRE) : null;
        SslContext peersOutbound = null;
        if (settings.cluster()) {
            peersOutbound = build(settings, () -> SslContextBuilder.forClient().sslProvider(provider)
                    .keyManager(settings.certFile().toFile(), settings.keyFile().toFile())
                    .trustManager(settings.caCertFile().toFile())
                    .build());
        }
        return new NodeTls(node, provider, clients, http, peersInbound, peersOutbound);
    }

    /**
     * With {@code tls-join}: sockets for the joiner's DKV.JOIN to a member's TLS client port,
     * showing this node's certificate (a member may require client certificates) and trusting
     * the member by {@code tls-ca-cert-file}, or by the JDK's authorities without one; null
     * without {@code tls-join}. The joiner is a blocking socket (a few requests in a node's
     * life), so this is the JDK's TLS whatever the node serves with.
     */
    public static SSLSocketFactory joinSockets(TlsSettings settings) {
        if (!settings.join()) {
            return null;
        }
        SslContext context = build(settings, () -> {
            SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .keyManager(settings.certFile().toFile(), settings.keyFile().toFile());
            if (settings.caCertFile() != null) {
                builder.trustManager(settings.caCertFile().toFile());
            }
            return builder.build();
        });
        return ((JdkSslContext) context).context().getSocketFactory();
    }

    /** OpenSSL when netty-tcnative's native library loads here, unless the JDK's is asked for. */
    private static SslProvider provider() {
        return OpenSsl.isAvailable() && !Boolean.getBoolean("dkv.tls.jdk") ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** Which TLS implementation the node uses, for its start-up line; "off" without TLS. */
    public String describe() {
        if (provider == null) {
            return "off";
        }
        return provider == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ")"
                : "JDK (" + System.getProperty("java.vendor") + " " + System.getProperty("java.version") + ")";
    }

    public boolean clientPort() {
        return clients != null;
    }

    public boolean http() {
        return http != null;
    }

    public boolean cluster() {
        return peersInbound != null;
    }

    /** Puts TLS in front of a connection a client opened to {@code tls-port}. */
    public void secureClient(Channel channel) {
        secure(channel, clients.newHandler(channel.alloc()), new TlsHandshakeWatch(node, null, null, null));
    }

    /** Puts TLS in front of a connection to the HTTP port, when {@code tls-http} is on. */
    public void secureHttp(Channel channel) {
        if (http != null) {
            secure(channel, http.newHandler(channel.alloc()), new TlsHandshakeWatch(node, null, null, null));
        }
    }

    /** With {@code tls-cluster}: puts mutual TLS in front of a connection a peer opened. */
    void securePeerInbound(Channel channel) {
        if (peersInbound != null) {
            secure(channel, peersInbound.newHandler(channel.alloc()), new TlsHandshakeWatch(node, null, null, peerWarnings));
        }
    }

    /**
     * With {@code tls-cluster}: puts mutual TLS in front of a connection this node opens to
     * {@code peer}; {@code failed} hears why when the handshake fails.
     */
    void securePeerOutbound(Channel channel, NodeId peer, InetSocketAddress address, Consumer<String> failed) {
        if (peersOutbound != null) {
            secure(channel, peersOutbound.newHandler(channel.alloc(), address.getHostString(), address.getPort()),
                    new TlsHandshakeWatch(node, peer + " at " + address, failed, peerWarnings));
        }
    }

    private static void secure(Channel channel, SslHandler handler, TlsHandshakeWatch watch) {
        channel.pipeline().addFirst(handler);
        channel.pipeline().addAfter(channel.pipeline().context(handler).name(), null, watch);
    }

    private static SslContext server(TlsSettings settings, SslProvider provider, ClientAuth clientAuth) {
        return build(settings, () -> {
            SslContextBuilder builder = SslContextBuilder.forServer(settings.certFile().toFile(), settings.keyFile().toFile())
                    .sslProvider(provider)
                    .clientAuth(clientAuth);
            if (settings.caCertFile() != null) {
                builder.trustManager(settings.caCertFile().toFile());
            }
            return builder.build();
        });
    }

    /** Builds a context, or fails naming the file Netty could not use. */
    private static SslContext build(TlsSettings settings, Recipe recipe) {
        try {
            return recipe.build();
        } catch (SSLException | IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("private key") || message.contains("PrivateKey") || message.contains("key spec")) {
                throw new InvalidConfigException("tls-key-file (" + settings.keyFile() + ") is not a PEM private key"
                        + " this node can use (PKCS#8, '-----BEGIN PRIVATE KEY-----'; openssl pkcs8 -topk8 -nocrypt"
                        + " converts others) or does not match tls-cert-file: " + message);
            }
            throw new InvalidConfigException("TLS cannot start with tls-cert-file (" + settings.certFile()
                    + "), tls-key-file (" + settings.keyFile() + ") and tls-ca-cert-file (" + settings.caCertFile()
                    + "): " + message);
        }
    }

    private interface Recipe {
        SslContext build() throws SSLException;
    }

    private static void checkReadable(String setting, Path file) {
        if (!Files.exists(file)) {
            throw new InvalidConfigException(setting + " (" + file + "): no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new InvalidConfigException(setting + " (" + file + "): not a readable file");
        }
    }

    /** A PEM file holding at least one X.509 certificate. */
    private static void checkCertificates(String setting, Path file) {
        checkReadable(setting, file);
        try (InputStream in = Files.newInputStream(file)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw new InvalidConfigException(setting + " (" + file + ") holds no certificate");
            }
        } catch (IOException | CertificateException e) {
            throw new InvalidConfigException(setting + " (" + file + ") is not a PEM certificate ('-----BEGIN CERTIFICATE-----'): "
                    + e.getMessage());
        }
    }
}
