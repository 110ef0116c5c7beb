package io.dkv.cli.cluster;

import io.dkv.cli.client.ClientTls;
import io.dkv.cli.client.Credentials;
import io.dkv.cli.client.RespClient;
import io.dkv.core.NodeId;
import io.dkv.server.config.TlsSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The on-disk record of a cluster started by {@code dkv cluster up}: the cluster's shape in
 * {@code cluster.properties}, the secret its nodes prove to each other in
 * {@code cluster-secret.yaml} (readable by its owner only), and per node a folder
 * {@code nK/} holding its command line, pid, log and data ({@code nK/data}). Every
 * {@code dkv cluster} subcommand works from this folder alone.
 */
public final class ClusterDirectory {

    private final Path root;
    private final Properties properties;
    private final Credentials credentials;
    private final ClientTls tls;

    private ClusterDirectory(Path root, Properties properties, Credentials credentials, ClientTls tls) {
        this.root = root;
        this.properties = properties;
        this.credentials = credentials;
        this.tls = tls;
    }

    /**
     * This cluster, asked (PING, INFO) with these credentials: for nodes started with a
     * password. They are not written to the folder.
     */
    public ClusterDirectory withCredentials(Credentials credentials) {
        return new ClusterDirectory(root, properties, credentials, tls);
    }

    /**
     * This cluster, asked (PING, INFO) over TLS on the nodes' TLS ports: for nodes whose plain
     * port is off ({@code resp-port 0}). Not written to the folder.
     */
    public ClusterDirectory withTls(ClientTls tls) {
        return new ClusterDirectory(root, properties, credentials, tls);
    }

    /**
     * The settings file holding the cluster's {@code cluster-secret}, made on first use: 32
     * random bytes in hex, in a file only its owner may read (the secret stays off the
     * nodes' command lines, which {@code ps} shows to everyone). The same file on a later
     * {@code up} keeps the nodes able to talk to each other.
     */
    public Path clusterSecretFile() throws IOException {
        Path file = root.resolve("cluster-secret.yaml");
        if (!Files.exists(file)) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Path temporary = root.resolve("cluster-secret.yaml.tmp");
            Files.deleteIfExists(temporary);
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, "# made by dkv cluster up; the same on every node of this cluster\n"
                    + "cluster-secret: " + HexFormat.of().formatHex(secret) + "\n", StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        }
        return file;
    }

    /** Creates (or reuses) the folder for a new cluster. */
    public static ClusterDirectory create(Path root, int nodes, int replicas, String host, int basePort) throws IOException {
        Files.createDirectories(root);
        Properties properties = new Properties();
        properties.setProperty("nodes", String.valueOf(nodes));
        properties.setProperty("replicas", String.valueOf(replicas));
        properties.setProperty("host", host);
        properties.setProperty("base-port", String.valueOf(basePort));
        try (var out = Files.newBufferedWriter(root.resolve("cluster.properties"))) {
            properties.store(out, "dkv cluster up");
        }
        return new ClusterDirectory(root, properties, Credentials.NONE, ClientTls.NONE);
    }

    /** Opens the folder of a cluster started earlier. */
    public static ClusterDirectory open(Path root) throws IOException {
        Path file = root.resolve("cluster.properties");
        if (!Files.exists(file)) {
            throw new IOException(root + " holds no cluster (no cluster.properties); start one with dkv cluster up");
        }
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            properties.load(in);
        }
        return new ClusterDirectory(root, properties, Credentials.NONE, ClientTls.NONE);
    }

    /** How many node folders the cluster has: those it started with and those added since. */
    public int nodes() {
        return Integer.parseInt(properties.getProperty("nodes"));
    }

    /** How many nodes the cluster started with (its configured ring); later ones joined it. */
    public int initialNodes() {
        return Integer.parseInt(properties.getProperty("initial-nodes", properties.getProperty("nodes")));
    }

    /** Records {@code more} nodes added after the start (their folders count from nodes() + 1). */
    public void addNodes(int more) throws IOException {
        properties.setProperty("initial-nodes", String.valueOf(initialNodes()));
        properties.setProperty("nodes", String.valueOf(nodes() + more));
        try (var out = Files.newBufferedWriter(root.resolve("cluster.properties"))) {
            properties.store(out, "dkv cluster up, then dkv cluster add");
        }
    }

    /** A client of one node, with the cluster's credentials and TLS. */
    public RespClient client(NodeId node) throws IOException {
        return new RespClient(host(), clientPort(node), 10_000, credentials, tls);
    }

    public int replicas() {
        return Integer.parseInt(properties.getProperty("replicas"));
    }

    public String host() {
        return properties.getProperty("host");
    }

    public int basePort() {
        return Integer.parseInt(properties.getProperty("base-port"));
    }

    public List<NodeId> nodeIds() {
        List<NodeId> ids = new ArrayList<>();
        for (int number = 1; number <= nodes(); number++) {
            ids.add(NodeId.of(number));
        }
        return ids;
    }

    /** Checks that {@code node} belongs to this cluster. */
    public NodeId node(String text) {
        NodeId id = NodeId.parse(text);
        if (id.number() > nodes()) {
            throw new IllegalArgumentException(id + " is not in this cluster of " + nodes() + " nodes (n1..n" + nodes() + ")");
        }
        return id;
    }

    public int respPort(NodeId node) {
        return basePort() + node.number() - 1;
    }

    /** The port this folder asks the node on: its TLS port (base port + 3000 + i) with {@link #withTls}, else its plain one. */
    public int clientPort(NodeId node) {
        return respPort(node) + (tls.enabled() ? TlsSettings.PORT_OFFSET : 0);
    }

    public Path nodeDir(NodeId node) {
        return root.resolve(node.toString());
    }

    /** The node's data directory (RocksDB files, identity, lock). */
    public Path dataDir(NodeId node) {
        return nodeDir(node).resolve("data");
    }

    public Path logFile(NodeId node) {
        return nodeDir(node).resolve("node.log");
    }

    Path pidFile(NodeId node) {
        return nodeDir(node).resolve("pid");
    }

    /** The node's process, if its pid file names one that is alive. */
    public Optional<ProcessHandle> process(NodeId node) {
        try {
            Path file = pidFile(node);
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(file).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    public Optional<Long> recordedPid(NodeId node) {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile(node)).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Saves the command line that starts the node, so {@code start} runs exactly the same. */
    public void saveCommand(NodeId node, List<String> command) throws IOException {
        Files.createDirectories(nodeDir(node));
        Files.write(nodeDir(node).resolve("command"), command, StandardCharsets.UTF_8);
    }

    public List<String> command(NodeId node) throws IOException {
        return Files.readAllLines(nodeDir(node).resolve("command"), StandardCharsets.UTF_8);
    }

    /** Launches the node in the background, its output appended to its log. */
    public void launch(NodeId node) throws IOException {
        Files.deleteIfExists(pidFile(node));
        List<String> command = new ArrayList<>(command(node));
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add(0, "/usr/bin/setsid");
        }
        new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(node).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
    }

    /**
     * Waits until the node writes its pid, answers PING and has finished recovering (a node
     * that may lack data does not count toward quorums until it has compared its partitions
     * with the other replicas); fails early if it dies.
     */
    public void awaitServing(NodeId node, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (process(node).isPresent() && answersPing(node) && !recovering(node)) {
                return;
            }
            if (Files.exists(pidFile(node)) && process(node).isEmpty()) {
                throw new IOException(node + " exited while starting; last lines of " + logFile(node) + ":\n" + tail(node, 20));
            }
            sleep(100);
        }
        throw new IOException(node + " did not answer PING, or did not finish recovering, within " + limit.toSeconds()
                + " s; last lines of "
                + logFile(node) + ":\n" + tail(node, 20));
    }

    public boolean answersPing(NodeId node) {
        try (RespClient client = new RespClient(host(), clientPort(node), 1_000, credentials, tls)) {
            return "PONG".equals(client.call("PING"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the node says (INFO dkv) that it is still recovering; true when it cannot be asked. */
    public boolean recovering(NodeId node) {
        try (RespClient client = new RespClient(host(), clientPort(node), 1_000, credentials, tls)) {
            Object info = client.call("INFO", "dkv");
            return !(info instanceof byte[] text) || !new String(text, StandardCharsets.UTF_8).contains("recovering:0");
        } catch (IOException e) {
            return true;
        }
    }

    public String tail(NodeId node, int lines) {
        try {
            List<String> all = Files.readAllLines(logFile(node), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
