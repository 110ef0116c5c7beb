package io.dkv.server.resp;

/**
 * Facts about the running server that INFO, HELLO and CONFIG report.
 *
 * @param version      dkv's version
 * @param host         the address clients connect to
 * @param respPort     the Redis-protocol port
 * @param internodePort the port peers connect to
 * @param httpPort     the HTTP port (metrics, health, dashboard), 0 when off
 * @param tlsPort      the Redis-protocol port over TLS, 0 when off
 * @param peerAuth     how peers prove they belong: {@code tls-cluster}, {@code cluster-secret}, both
 *                     ({@code tls-cluster+cluster-secret}) or {@code none}
 */
public record ServerInfo(String version, String host, int respPort, int internodePort, int httpPort, int tlsPort,
                         String peerAuth) {

    public ServerInfo(String version, String host, int respPort, int internodePort, int httpPort) {
        this(version, host, respPort, internodePort, httpPort, 0, "none");
    }

    /** The Redis API level dkv speaks, reported as redis_version so clients enable the right features. */
    public static final String REDIS_COMPATIBLE_VERSION = "7.2.0";
}
