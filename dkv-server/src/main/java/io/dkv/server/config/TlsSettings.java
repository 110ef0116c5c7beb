package io.dkv.server.config;

import io.dkv.core.InvalidConfigException;

import java.nio.file.Path;
import java.util.Locale;

/**
 * TLS for one node, with Redis's setting names. TLS is on only when a certificate and its key
 * are given; then clients may connect over TLS on {@code tls-port}, and {@code tls-cluster} and
 * {@code tls-http} put the internode and HTTP ports under TLS as well. The files are read when
 * the node starts, not here.
 *
 * @param port        {@code tls-port}: the Redis-protocol port over TLS; 0 = none
 * @param certFile    {@code tls-cert-file}: this node's certificate (PEM, the chain after it), shown
 *                    to clients, to peers and to browsers; {@code null} = TLS off
 * @param keyFile     {@code tls-key-file}: its private key (PEM, PKCS#8); {@code null} = TLS off
 * @param caCertFile  {@code tls-ca-cert-file}: the certificate authority (PEM) that client and peer
 *                    certificates must come from; {@code null} = none
 * @param authClients {@code tls-auth-clients}: whether a client on {@code tls-port} must present a
 *                    certificate from that authority
 * @param cluster     {@code tls-cluster}: internode connections use mutual TLS, so a peer proves
 *                    its membership with a certificate from the authority, in both directions
 * @param http        {@code tls-http}: the HTTP port (dashboard, /health, /metrics) serves HTTPS
 * @param join        {@code tls-join}: a joining node ({@code join}) reaches the member's client port
 *                    over TLS, showing its own certificate (Redis's {@code tls-replication}); the
 *                    member is trusted by {@code tls-ca-cert-file}, or the JDK's authorities without it
 */
public record TlsSettings(int port, Path certFile, Path keyFile, Path caCertFile, AuthClients authClients,
                          boolean cluster, boolean http, boolean join) {

    /** Node i's TLS client port is base port + this + i unless {@code tls-port} says otherwise. */
    public static final int PORT_OFFSET = 3000;

    /** {@code tls-auth-clients}, as Redis spells its values. */
    public enum AuthClients {
        /** A client without a certificate from the authority is refused. */
        YES,
        /** Clients are not asked for a certificate. */
        NO,
        /** A client may present a certificate, which must then come from the authority. */
        OPTIONAL;

        static AuthClients parse(String name, String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "yes", "true", "on" -> YES;
                case "no", "false", "off" -> NO;
                case "optional" -> OPTIONAL;
                default -> throw new InvalidConfigException(name + ": expected yes, no or optional, got '" + value + "'");
            };
        }
    }

    public TlsSettings {
        if (authClients == null) {
            authClients = caCertFile != null ? AuthClients.YES : AuthClients.NO;
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new InvalidConfigException(certFile == null
                    ? "tls-key-file (" + keyFile + ") needs tls-cert-file, the certificate that goes with the key"
                    : "tls-cert-file (" + certFile + ") needs tls-key-file, the certificate's private key");
        }
        if (port < 0 || port > 65_535) {
            throw new InvalidConfigException("tls-port (" + port + ") must be between 0 and 65535");
        }
        boolean on = certFile != null;
        require(on || port == 0, "tls-port (" + port + ")");
        require(on || !cluster, "tls-cluster (yes)");
        require(on || !http, "tls-http (yes)");
        require(on || !join, "tls-join (yes)");
        require(on || caCertFile == null, "tls-ca-cert-file (" + caCertFile + ")");
        if (cluster && caCertFile == null) {
            throw new InvalidConfigException("tls-cluster (yes) needs tls-ca-cert-file: peers prove they belong to the"
                    + " cluster with certificates from that authority");
        }
        if (authClients != AuthClients.NO && caCertFile == null) {
            throw new InvalidConfigException("tls-auth-clients (" + authClients.name().toLowerCase(Locale.ROOT)
                    + ") needs tls-ca-cert-file to check client certificates against");
        }
    }

    /** No TLS anywhere, as a node starts without settings. */
    public static TlsSettings off() {
        return new TlsSettings(0, null, null, null, AuthClients.NO, false, false, false);
    }

    /** Whether the node has a certificate, and so speaks TLS somewhere. */
    public boolean enabled() {
        return certFile != null;
    }

    private static void require(boolean condition, String setting) {
        if (!condition) {
            throw new InvalidConfigException(setting + " needs tls-cert-file and tls-key-file");
        }
    }
}
