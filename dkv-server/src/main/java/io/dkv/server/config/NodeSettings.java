package io.dkv.server.config;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.core.InvalidConfigException;
import io.dkv.core.NodeId;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one node process needs to start: its identity, its ports, where its peers
 * are, and the cluster's shared settings. Built by {@link SettingsBuilder} from a YAML file
 * and flags, validated as a whole.
 *
 * @param node          this node
 * @param cluster       settings every node shares
 * @param host          address to listen on and to reach this node at
 * @param respPort      the Redis-protocol port for clients; 0 = none, only the TLS one ({@code tls-port})
 * @param internodePort the port peers connect to
 * @param httpPort      the HTTP port for metrics, health and the dashboard (0: off)
 * @param peers         the internode address of every node, this one included
 * @param storage       where and how the node keeps its entries and hints
 * @param clients       how much the node lets its clients hold
 * @param access        users and passwords, for clients and (optionally) HTTP
 * @param tls           certificates, and which ports speak TLS
 * @param join          a member's client address ({@code host:port}) to ask for this node to
 *                      join the cluster, or {@code null}: a node beyond the configured
 *                      {@code nodes} joins a running cluster this way
 * @param replace       with {@code join}: the node, gone for good, whose partitions this new
 *                      node takes over instead of a share of everyone's; or {@code null}
 */
public record NodeSettings(NodeId node, ClusterConfig cluster, String host, int respPort, int internodePort,
                           int httpPort, Map<NodeId, InetSocketAddress> peers, StorageSettings storage,
                           ClientLimits clients, AccessSettings access, TlsSettings tls, String join,
                           NodeId replace) {

    /** The default base port: node i (counting from 0) uses P+i, P+1000+i and P+2000+i (and P+3000+i for TLS). */
    public static final int DEFAULT_BASE_PORT = 7400;
    public static final int INTERNODE_OFFSET = 1000;
    public static final int HTTP_OFFSET = 2000;

    public NodeSettings {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(tls, "tls");
        if (replace != null && join == null) {
            throw new InvalidConfigException("replace (" + replace + ") needs join: HOST:PORT, the client address of"
                    + " a member to ask");
        }
        if (node.number() > cluster.nodes() && join == null) {
            throw new InvalidConfigException("node (" + node + ") must be one of n1..n" + cluster.nodes()
                    + " for nodes (" + cluster.nodes() + "), or join a running cluster (join: HOST:PORT of a member)");
        }
        if (respPort == 0 && tls.port() == 0) {
            throw new InvalidConfigException("resp-port (0) turns the plain client port off, which leaves clients no port:"
                    + " it needs a TLS client port (tls-cert-file, tls-key-file and tls-port not 0)");
        }
        checkPort("resp-port", respPort, true);
        checkPort("internode-port", internodePort, false);
        checkPort("http-port", httpPort, true);
        if (respPort == internodePort || (httpPort != 0 && (httpPort == respPort || httpPort == internodePort))) {
            throw new InvalidConfigException("resp-port (" + respPort + "), internode-port (" + internodePort
                    + ") and http-port (" + httpPort + ") must differ");
        }
        if (tls.port() != 0 && (tls.port() == respPort || tls.port() == internodePort || tls.port() == httpPort)) {
            throw new InvalidConfigException("tls-port (" + tls.port() + ") must differ from resp-port (" + respPort
                    + "), internode-port (" + internodePort + ") and http-port (" + httpPort + ")");
        }
        for (int number = 1; number <= cluster.nodes(); number++) {
            if (!peers.containsKey(NodeId.of(number))) {
                throw new InvalidConfigException("peers has no address for n" + number);
            }
        }
        peers = Map.copyOf(peers);
        Objects.requireNonNull(clients, "clients");
        long largestReply = cluster.maxValueBytes() + 64L;
        if (clients.outputLimitBytes() != 0 && clients.outputLimitBytes() < largestReply) {
            throw new InvalidConfigException("client-output-buffer-limit (" + clients.outputLimitBytes()
                    + ") must be 0 (off) or at least max-value-bytes (" + cluster.maxValueBytes()
                    + ") + 64, or a GET of the largest value would disconnect its client");
        }
        if (clients.maxMemoryClients() != 0 && clients.maxMemoryClients() < largestReply) {
            throw new InvalidConfigException("maxmemory-clients (" + clients.maxMemoryClients()
                    + ") must be 0 (off) or at least max-value-bytes (" + cluster.maxValueBytes() + ") + 64");
        }
    }

    /** Node {@code number}'s port for a service at {@code offset} from base port {@code base}. */
    public static int port(int base, int offset, NodeId node) {
        return base + offset + node.number() - 1;
    }

    private static void checkPort(String name, int port, boolean zeroAllowed) {
        if (port < (zeroAllowed ? 0 : 1) || port > 65_535) {
            throw new InvalidConfigException(name + " (" + port + ") must be between " + (zeroAllowed ? 0 : 1) + " and 65535");
        }
    }
}
