package io.dkv.server.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dkv.cluster.config.ClusterConfig;
import io.dkv.cluster.config.FailureDetectionConfig;
import io.dkv.cluster.config.HandoffConfig;
import io.dkv.cluster.config.RepairConfig;
import io.dkv.core.Consistency;
import io.dkv.core.InvalidConfigException;
import io.dkv.core.NodeId;
import io.dkv.core.ring.Ring;
import io.dkv.server.acl.Users;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Collects node settings by name, from a YAML file and then from flags (later values win;
 * {@code users} lines add up, from a YAML list or {@code ;}-separated in a flag),
 * and builds validated {@link NodeSettings}. Names are the same in both places:
 * {@code replicas: 3} in YAML is {@code --replicas 3} on the command line.
 * config/node.example.yaml documents every one.
 */
public final class SettingsBuilder {

    private final Map<String, BiConsumer<SettingsBuilder, String>> setters = new LinkedHashMap<>();
    private final ClusterConfig.Builder cluster = ClusterConfig.builder();
    private NodeId node = NodeId.of(1);
    private String join;
    private String joinUser;
    private String joinPassword;
    private NodeId replace;
    private String host = "127.0.0.1";
    private int basePort = NodeSettings.DEFAULT_BASE_PORT;
    private Integer respPort;
    private Integer internodePort;
    private Integer httpPort;
    private long memoryLimitBytes;
    private int nodesInProcess = 1;
    private int maxClients = ClientLimits.DEFAULT_MAX_CLIENTS;
    private long timeoutSeconds;
    private long inputBudgetBytes = ClientLimits.DEFAULT_INPUT_BUDGET_BYTES;
    private long outputLimitBytes = ClientLimits.DEFAULT_OUTPUT_LIMIT_BYTES;
    private String maxMemoryClients = ClientLimits.DEFAULT_MAX_MEMORY_CLIENTS_PERCENT + "%";
    private int maxKeysPerCommand = ClientLimits.DEFAULT_MAX_KEYS_PER_COMMAND;
    private StorageSettings.Kind storageKind;
    private Path dataDir;
    private Function<NodeId, Path> defaultDataDir;
    private StorageSettings.Sync sync = StorageSettings.Sync.PERIODIC;
    private long syncIntervalMillis = StorageSettings.DEFAULT_SYNC_INTERVAL_MILLIS;
    private long blockCacheBytes = StorageSettings.DEFAULT_BLOCK_CACHE_BYTES;
    private long writeBufferBytes = StorageSettings.DEFAULT_WRITE_BUFFER_BYTES;
    private long diskLimitBytes;
    private final Map<NodeId, InetSocketAddress> peers = new TreeMap<>();
    private String requirepass;
    private final List<String> users = new ArrayList<>();
    private boolean httpAuth;
    private Integer tlsPort;
    private Path tlsCertFile;
    private Path tlsKeyFile;
    private Path tlsCaCertFile;
    private TlsSettings.AuthClients tlsAuthClients;
    private boolean tlsCluster;
    private boolean tlsHttp;
    private boolean tlsJoin;
    private String clusterSecret;

    public SettingsBuilder() {
        setters.put("node", (b, v) -> b.node = parseNode("node", v));
        setters.put("join", (b, v) -> b.join = v.isEmpty() ? null : v);
        setters.put("replace", (b, v) -> b.replace = v.isEmpty() ? null : parseNode("replace", v));
        setters.put("nodes", (b, v) -> b.cluster.nodes(parseInt("nodes", v)));
        setters.put("replicas", (b, v) -> b.cluster.replicas(parseInt("replicas", v)));
        setters.put("host", (b, v) -> b.host = v);
        setters.put("base-port", (b, v) -> b.basePort = parseInt("base-port", v));
        setters.put("resp-port", (b, v) -> b.respPort = parseInt("resp-port", v));
        setters.put("internode-port", (b, v) -> b.internodePort = parseInt("internode-port", v));
        setters.put("http-port", (b, v) -> b.httpPort = parseInt("http-port", v));
        setters.put("partitions", (b, v) -> b.cluster.partitions(parseInt("partitions", v)));
        setters.put("read-consistency", (b, v) -> b.cluster.readConsistency(parseConsistency("read-consistency", v)));
        setters.put("write-consistency", (b, v) -> b.cluster.writeConsistency(parseConsistency("write-consistency", v)));
        setters.put("replica-timeout-ms", (b, v) -> b.cluster.replicaTimeoutMillis(parseLong("replica-timeout-ms", v)));
        setters.put("max-key-bytes", (b, v) -> b.cluster.maxKeyBytes(parseInt("max-key-bytes", v)));
        setters.put("max-value-bytes", (b, v) -> b.cluster.maxValueBytes(parseInt("max-value-bytes", v)));
        setters.put("memory-limit-bytes", (b, v) -> b.memoryLimitBytes = parseLong("memory-limit-bytes", v));
        setters.put("maxclients", (b, v) -> b.maxClients = parseInt("maxclients", v));
        setters.put("timeout", (b, v) -> b.timeoutSeconds = parseLong("timeout", v));
        setters.put("client-input-budget-bytes", (b, v) -> b.inputBudgetBytes = parseBytes("client-input-budget-bytes", v));
        setters.put("client-output-buffer-limit", (b, v) -> b.outputLimitBytes = parseOutputLimit(v));
        setters.put("maxmemory-clients", (b, v) -> b.maxMemoryClients = v);
        setters.put("max-keys-per-command", (b, v) -> b.maxKeysPerCommand = parseInt("max-keys-per-command", v));
        setters.put("max-clock-skew-ms", (b, v) -> b.cluster.maxClockSkewMillis(parseLong("max-clock-skew-ms", v)));
        setters.put("storage", (b, v) -> b.storageKind = StorageSettings.Kind.parse("storage", v));
        setters.put("data-dir", (b, v) -> b.dataDir = v.isEmpty() ? null : Path.of(v));
        setters.put("sync", (b, v) -> b.sync = StorageSettings.Sync.parse("sync", v));
        setters.put("sync-interval-ms", (b, v) -> b.syncIntervalMillis = parseLong("sync-interval-ms", v));
        setters.put("block-cache-bytes", (b, v) -> b.blockCacheBytes = parseLong("block-cache-bytes", v));
        setters.put("write-buffer-bytes", (b, v) -> b.writeBufferBytes = parseLong("write-buffer-bytes", v));
        setters.put("disk-limit-bytes", (b, v) -> b.diskLimitBytes = parseLong("disk-limit-bytes", v));
        setters.put("read-repair-chance", (b, v) -> b.cluster.readRepairChance(parseDouble("read-repair-chance", v)));
        setters.put("speculative-retry", (b, v) -> b.cluster.speculativeRetry(b.cluster.speculativeRetry().withPolicy(v)));
        setters.put("speculative-retry-min-ms", (b, v) -> b.cluster.speculativeRetry(
                b.cluster.speculativeRetry().withMinMillis(parseLong("speculative-retry-min-ms", v))));
        setters.put("speculative-retry-max-ms", (b, v) -> b.cluster.speculativeRetry(
                b.cluster.speculativeRetry().withMaxMillis(parseLong("speculative-retry-max-ms", v))));
        setters.put("failure-detection", (b, v) -> b.detection(d -> d.withEnabled(parseBoolean("failure-detection", v))));
        setters.put("gossip-interval-ms", (b, v) -> b.detection(d -> d.withGossipIntervalMillis(parseLong("gossip-interval-ms", v))));
        setters.put("gossip-fanout", (b, v) -> b.detection(d -> d.withGossipFanout(parseInt("gossip-fanout", v))));
        setters.put("phi-threshold", (b, v) -> b.detection(d -> d.withPhiThreshold(parseDouble("phi-threshold", v))));
        setters.put("phi-acceptable-pause-ms", (b, v) -> b.detection(d -> d.withAcceptablePauseMillis(parseLong("phi-acceptable-pause-ms", v))));
        setters.put("phi-min-std-deviation-ms", (b, v) -> b.detection(d -> d.withMinStdDeviationMillis(parseLong("phi-min-std-deviation-ms", v))));
        setters.put("startup-grace-ms", (b, v) -> b.detection(d -> d.withStartupGraceMillis(parseLong("startup-grace-ms", v))));
        setters.put("hinted-handoff", (b, v) -> b.handoff(h -> h.withEnabled(parseBoolean("hinted-handoff", v))));
        setters.put("hint-max-count", (b, v) -> b.handoff(h -> h.withMaxHints(parseInt("hint-max-count", v))));
        setters.put("hint-max-bytes", (b, v) -> b.handoff(h -> h.withMaxBytes(parseLong("hint-max-bytes", v))));
        setters.put("hint-max-age-ms", (b, v) -> b.handoff(h -> h.withMaxAgeMillis(parseLong("hint-max-age-ms", v))));
        setters.put("hint-replay-interval-ms", (b, v) -> b.handoff(h -> h.withReplayIntervalMillis(parseLong("hint-replay-interval-ms", v))));
        setters.put("hint-replay-batch", (b, v) -> b.handoff(h -> h.withReplayBatch(parseInt("hint-replay-batch", v))));
        setters.put("anti-entropy", (b, v) -> b.repair(r -> r.withAntiEntropyEnabled(parseBoolean("anti-entropy", v))));
        setters.put("anti-entropy-interval-ms", (b, v) -> b.repair(r -> r.withAntiEntropyIntervalMillis(parseLong("anti-entropy-interval-ms", v))));
        setters.put("anti-entropy-max-keys", (b, v) -> b.repair(r -> r.withAntiEntropyMaxKeys(parseInt("anti-entropy-max-keys", v))));
        setters.put("anti-entropy-bytes-per-second", (b, v) -> b.repair(r -> r.withAntiEntropyBytesPerSecond(
                parseLong("anti-entropy-bytes-per-second", v))));
        setters.put("stream-bytes-per-second", (b, v) -> b.cluster.streamBytesPerSecond(
                parseLong("stream-bytes-per-second", v)));
        setters.put("tombstone-grace-ms", (b, v) -> b.repair(r -> r.withTombstoneGraceMillis(parseLong("tombstone-grace-ms", v))));
        setters.put("requirepass", (b, v) -> b.requirepass = v);
        setters.put("users", (b, v) -> {
            for (String line : v.split(";")) {
                if (!line.isBlank()) {
                    b.users.add(line.trim());
                }
            }
        });
        setters.put("http-auth", (b, v) -> b.httpAuth = parseBoolean("http-auth", v));
        setters.put("tls-port", (b, v) -> b.tlsPort = parseInt("tls-port", v));
        setters.put("tls-cert-file", (b, v) -> b.tlsCertFile = parsePath(v));
        setters.put("tls-key-file", (b, v) -> b.tlsKeyFile = parsePath(v));
        setters.put("tls-ca-cert-file", (b, v) -> b.tlsCaCertFile = parsePath(v));
        setters.put("tls-auth-clients", (b, v) -> b.tlsAuthClients = TlsSettings.AuthClients.parse("tls-auth-clients", v));
        setters.put("tls-cluster", (b, v) -> b.tlsCluster = parseBoolean("tls-cluster", v));
        setters.put("tls-http", (b, v) -> b.tlsHttp = parseBoolean("tls-http", v));
        setters.put("tls-join", (b, v) -> b.tlsJoin = parseBoolean("tls-join", v));
        setters.put("cluster-secret", (b, v) -> b.clusterSecret = v);
        setters.put("join-user", (b, v) -> b.joinUser = v);
        setters.put("join-password", (b, v) -> b.joinPassword = v);
        setters.put("tombstone-sweep-interval-ms", (b, v) -> b.repair(r -> r.withTombstoneSweepIntervalMillis(parseLong("tombstone-sweep-interval-ms", v))));
    }

    /** Applies one setting by its name; unknown names and malformed values are refused by name. */
    public SettingsBuilder set(String name, String value) {
        BiConsumer<SettingsBuilder, String> setter = setters.get(name);
        if (name.equals("partitions-per-node")) {
            throw new InvalidConfigException("partitions-per-node is no longer a setting: use 'partitions', the number of"
                    + " partitions of the whole cluster, fixed for its life (default " + Ring.DEFAULT_PARTITIONS + ")");
        }
        if (setter == null) {
            throw new InvalidConfigException("unknown setting '" + name + "' (known: peers, "
                    + String.join(", ", setters.keySet()) + ")");
        }
        setter.accept(this, value.trim());
        return this;
    }

    /** The internode address of a peer, {@code host:port}. */
    public SettingsBuilder peer(String node, String address) {
        NodeId id = parseNode("peers", node);
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new InvalidConfigException("peers." + node + ": expected host:port, got '" + address + "'");
        }
        peers.put(id, InetSocketAddress.createUnresolved(address.substring(0, colon),
                parseInt("peers." + node, address.substring(colon + 1))));
        return this;
    }

    /** How many nodes share this JVM (dkv local), to divide the default memory limit among them. */
    public SettingsBuilder nodesInProcess(int count) {
        this.nodesInProcess = Math.max(1, count);
        return this;
    }

    /**
     * Makes storage durable unless settings say otherwise: with no {@code storage} and no
     * {@code data-dir} given, the node keeps its data in RocksDB under {@code dirOfNode}
     * applied to its id ({@code dkv server}, {@code dkv cluster}).
     */
    public SettingsBuilder defaultDataDir(Function<NodeId, Path> dirOfNode) {
        this.defaultDataDir = dirOfNode;
        return this;
    }

    /** Reads a flat YAML file of settings (see config/node.example.yaml). */
    public SettingsBuilder load(Path file) {
        Map<?, ?> yaml;
        try {
            yaml = new ObjectMapper(new YAMLFactory()).readValue(Files.readAllBytes(file), Map.class);
        } catch (IOException e) {
            throw new InvalidConfigException("cannot read " + file + ": " + e.getMessage());
        }
        if (yaml == null) {
            return this;
        }
        yaml.forEach((key, value) -> {
            String name = String.valueOf(key);
            if (name.equals("peers")) {
                if (!(value instanceof Map<?, ?> map)) {
                    throw new InvalidConfigException(file + ": peers must be a map of node to host:port");
                }
                map.forEach((peer, address) -> peer(String.valueOf(peer), String.valueOf(address)));
            } else if (name.equals("users") && value instanceof Iterable<?> lines) {
                lines.forEach(line -> users.add(String.valueOf(line).trim()));
            } else if (value instanceof Map || value instanceof Iterable) {
                throw new InvalidConfigException(file + ": setting '" + name + "' must be a single value");
            } else {
                try {
                    set(name, String.valueOf(value));
                } catch (InvalidConfigException e) {
                    throw new InvalidConfigException(file + ": " + e.getMessage());
                }
            }
        });
        return this;
    }

    public NodeSettings build() {
        ClusterConfig probe = cluster.build();
        long limit = memoryLimitBytes > 0 ? memoryLimitBytes
                : (long) (Runtime.getRuntime().maxMemory() * 0.7 / nodesInProcess);
        ClusterConfig config = probe.toBuilder().memoryLimitBytes(limit).build();
        Map<NodeId, InetSocketAddress> addresses = new TreeMap<>(peers);
        for (int number = 1; number <= config.nodes(); number++) {
            NodeId peer = NodeId.of(number);
            addresses.computeIfAbsent(peer, id -> InetSocketAddress.createUnresolved(host,
                    NodeSettings.port(basePort, NodeSettings.INTERNODE_OFFSET, id)));
        }
        int resp = respPort != null ? respPort : NodeSettings.port(basePort, 0, node);
        int internode = internodePort != null ? internodePort : NodeSettings.port(basePort, NodeSettings.INTERNODE_OFFSET, node);
        int http = httpPort != null ? httpPort : NodeSettings.port(basePort, NodeSettings.HTTP_OFFSET, node);
        ClientLimits clients = new ClientLimits(maxClients, timeoutSeconds, inputBudgetBytes, outputLimitBytes,
                maxMemoryClientsBytes(config.maxValueBytes() + 64L), maxKeysPerCommand);
        Users accounts;
        try {
            accounts = Users.of(requirepass, users);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(e.getMessage());
        }
        addresses.computeIfAbsent(node, id -> InetSocketAddress.createUnresolved(host, internode));
        return new NodeSettings(node, config, host, resp, internode, http, addresses, storage(), clients,
                new AccessSettings(accounts, httpAuth, clusterSecret, joinUser, joinPassword), tls(), join, replace);
    }

    /** TLS is on when a certificate is given; its client port then defaults to P+3000+i. */
    private TlsSettings tls() {
        int port = tlsPort != null ? tlsPort
                : tlsCertFile != null ? NodeSettings.port(basePort, TlsSettings.PORT_OFFSET, node) : 0;
        return new TlsSettings(port, tlsCertFile, tlsKeyFile, tlsCaCertFile, tlsAuthClients, tlsCluster, tlsHttp, tlsJoin);
    }

    /** A file name; empty means none. */
    private static Path parsePath(String value) {
        return value.isEmpty() ? null : Path.of(value);
    }

    /** Bytes, or a percentage of the JVM heap divided among the nodes of the process (Redis takes a percentage of maxmemory). */
    private long maxMemoryClientsBytes(long largestReply) {
        String value = maxMemoryClients.trim();
        if (value.endsWith("%")) {
            double percent = parseDouble("maxmemory-clients", value.substring(0, value.length() - 1));
            if (percent < 0 || percent > 100) {
                throw new InvalidConfigException("maxmemory-clients (" + value + ") must be between 0% and 100%");
            }
            if (percent == 0) {
                return 0;
            }
            // A share of a small heap may be less than one reply of the largest value: the
            // share then grows to that, rather than the node refusing to start.
            return Math.max(largestReply, (long) (Runtime.getRuntime().maxMemory() * percent / 100 / nodesInProcess));
        }
        return parseBytes("maxmemory-clients", value);
    }

    /**
     * Redis's form {@code normal HARD SOFT SECONDS} (soft limits must be 0: dkv has only the
     * hard one), or just the hard limit.
     */
    private static long parseOutputLimit(String value) {
        String[] words = value.trim().split("\\s+");
        if (words.length == 1) {
            return parseBytes("client-output-buffer-limit", words[0]);
        }
        if (words.length != 4 || !words[0].equalsIgnoreCase("normal")) {
            throw new InvalidConfigException("client-output-buffer-limit: expected 'normal HARD 0 0' or a size, got '"
                    + value + "' (only the normal class applies to dkv)");
        }
        if (parseBytes("client-output-buffer-limit", words[2]) != 0 || parseLong("client-output-buffer-limit", words[3]) != 0) {
            throw new InvalidConfigException("client-output-buffer-limit: soft limits are not supported, set them to 0 (got '"
                    + value + "')");
        }
        return parseBytes("client-output-buffer-limit", words[1]);
    }

    /** A size in bytes, with Redis's units: 1k = 1000, 1kb = 1024, likewise m, mb, g, gb. */
    static long parseBytes(String name, String value) {
        String text = value.trim().toLowerCase(Locale.ROOT).replace("_", "");
        long unit = 1;
        String[][] units = {{"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"}, {"k", "1000"}, {"m", "1000000"},
                {"g", "1000000000"}, {"b", "1"}};
        for (String[] candidate : units) {
            if (text.endsWith(candidate[0])) {
                unit = Long.parseLong(candidate[1]);
                text = text.substring(0, text.length() - candidate[0].length());
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(text.trim()), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new InvalidConfigException(name + ": expected a size in bytes (e.g. 67108864 or 64mb), got '" + value + "'");
        }
    }

    /** Storage is RocksDB when asked for, or when a data directory is given or defaulted; else memory. */
    private StorageSettings storage() {
        Path dir = dataDir != null ? dataDir : defaultDataDir != null ? defaultDataDir.apply(node) : null;
        StorageSettings.Kind kind = storageKind != null ? storageKind
                : dir != null ? StorageSettings.Kind.ROCKSDB : StorageSettings.Kind.MEMORY;
        return new StorageSettings(kind, kind == StorageSettings.Kind.ROCKSDB ? dir : null, sync, syncIntervalMillis,
                blockCacheBytes, writeBufferBytes, diskLimitBytes);
    }

    private void detection(UnaryOperator<FailureDetectionConfig> change) {
        cluster.failureDetection(change.apply(cluster.failureDetection()));
    }

    private void handoff(UnaryOperator<HandoffConfig> change) {
        cluster.handoff(change.apply(cluster.handoff()));
    }

    private void repair(UnaryOperator<RepairConfig> change) {
        cluster.repair(change.apply(cluster.repair()));
    }

    private static boolean parseBoolean(String name, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> throw new InvalidConfigException(name + ": expected true or false, got '" + value + "'");
        };
    }

    private static NodeId parseNode(String name, String value) {
        try {
            return NodeId.parse(value.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(name + ": " + e.getMessage());
        }
    }

    private static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(name + ": expected a whole number, got '" + value + "'");
        }
    }

    private static long parseLong(String name, String value) {
        try {
            return Long.parseLong(value.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(name + ": expected a whole number, got '" + value + "'");
        }
    }

    private static double parseDouble(String name, String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(name + ": expected a number, got '" + value + "'");
        }
    }

    private static Consistency parseConsistency(String name, String value) {
        try {
            return Consistency.parse(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(name + ": " + e.getMessage());
        }
    }
}
