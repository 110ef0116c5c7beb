package io.dkv.cli.cluster;

import io.dkv.cli.RingChangeWatch;
import io.dkv.cli.client.AuthOptions;
import io.dkv.cli.client.Credentials;
import io.dkv.cli.client.RespClient;
import io.dkv.cli.client.TlsOptions;
import io.dkv.core.NodeId;
import io.dkv.server.config.NodeSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code dkv cluster}: N node processes on this machine, managed through a folder that
 * holds each node's command, pid and log.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Runs a cluster of node processes on this machine, with pid, log and data under --dir.",
                "Each node keeps its data in RocksDB under DIR/<node>/data (--set storage=memory: in memory)."},
        subcommands = {
                ClusterCommand.Up.class, ClusterCommand.Down.class, ClusterCommand.Kill.class,
                ClusterCommand.Stop.class, ClusterCommand.Start.class, ClusterCommand.Pause.class,
                ClusterCommand.Resume.class, ClusterCommand.Status.class, ClusterCommand.Add.class,
                ClusterCommand.Remove.class})
public final class ClusterCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Options every subcommand takes. */
    static class DirOption {
        @Option(names = "--dir", required = true, description = "The cluster's folder.")
        Path dir;

        @Option(names = "--wait-seconds", defaultValue = "60", description = "How long to wait for nodes (default ${DEFAULT-VALUE}).")
        int waitSeconds;

        /** For the PING and INFO that check the nodes of a cluster started with a password. */
        @picocli.CommandLine.Mixin
        AuthOptions auth = new AuthOptions();

        /** For the same checks over TLS, when the nodes' plain ports are off. */
        @picocli.CommandLine.Mixin
        TlsOptions tls = new TlsOptions();

        Credentials credentials() {
            return auth.credentials();
        }

        ClusterDirectory open() throws IOException {
            return ClusterDirectory.open(dir).withCredentials(credentials()).withTls(tls.clientTls());
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Starts N node processes and waits until all answer PING.")
    static final class Up implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DirOption options = new DirOption();

        @Option(names = "--nodes", defaultValue = "3", description = "How many nodes (default ${DEFAULT-VALUE}).")
        int nodes;

        @Option(names = "--replicas", defaultValue = "3", description = "Replicas per key (default ${DEFAULT-VALUE}).")
        int replicas;

        @Option(names = "--base-port", defaultValue = "" + NodeSettings.DEFAULT_BASE_PORT, description = "First client port (default ${DEFAULT-VALUE}).")
        int basePort;

        @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Any other node setting, passed to every node.")
        List<String> settings = new ArrayList<>();

        @Option(names = "--jvm-opt", paramLabel = "OPTION", description = "A JVM option for every node, e.g. --jvm-opt=-Xmx512m.")
        List<String> jvmOptions = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            ClusterDirectory cluster = ClusterDirectory.create(options.dir, nodes, replicas, "127.0.0.1", basePort)
                    .withCredentials(options.credentials()).withTls(options.tls.clientTls());
            for (NodeId node : cluster.nodeIds()) {
                if (cluster.process(node).isPresent()) {
                    System.err.println("error: " + node + " is already running (pid " + cluster.recordedPid(node).orElseThrow()
                            + "); run dkv cluster down --dir " + options.dir + " first");
                    return 1;
                }
            }
            for (NodeId node : cluster.nodeIds()) {
                cluster.saveCommand(node, nodeCommand(cluster, node));
                cluster.launch(node);
            }
            for (NodeId node : cluster.nodeIds()) {
                cluster.awaitServing(node, Duration.ofSeconds(options.waitSeconds));
            }
            Status.print(cluster);
            return 0;
        }

        private List<String> nodeCommand(ClusterDirectory cluster, NodeId node) throws IOException {
            List<String> command = new ArrayList<>(Launcher.javaCommand());
            command.add("-XX:+ExitOnOutOfMemoryError");
            command.addAll(Launcher.JVM_OPTIONS);
            command.addAll(jvmOptions);
            command.addAll(Launcher.dkvMain());
            command.addAll(List.of("server", "--node", node.toString(), "--nodes", String.valueOf(nodes),
                    "--replicas", String.valueOf(replicas), "--host", cluster.host(),
                    "--base-port", String.valueOf(basePort),
                    "--data-dir", cluster.dataDir(node).toAbsolutePath().toString(),
                    "--pid-file", cluster.nodeDir(node).resolve("pid").toAbsolutePath().toString()));
            if (settings.stream().noneMatch(setting -> setting.startsWith("cluster-secret="))) {
                // Peers prove they belong to this cluster, unless the user chose the secret.
                command.addAll(List.of("--config", cluster.clusterSecretFile().toAbsolutePath().toString()));
            }
            for (String setting : settings) {
                command.add("--set");
                command.add(setting);
            }
            return command;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = {
            "Starts new node processes (ids and ports continue the sequence) that join the running",
            "cluster one after another: each takes its share of partitions, copies it, then serves it."})
    static final class Add implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DirOption options = new DirOption();

        @Option(names = "--count", defaultValue = "1", description = "How many nodes to add (default ${DEFAULT-VALUE}).")
        int count;

        @Option(names = "--replace", paramLabel = "NODE",
                description = "Start one node that takes over the partitions of NODE, which is gone for good.")
        String replace;

        @Option(names = "--join-seconds", defaultValue = "3600",
                description = "How long to wait for each node to hold its partitions (default ${DEFAULT-VALUE}).")
        long joinSeconds;

        @Override
        public Integer call() throws IOException {
            if (count < 1) {
                System.err.println("error: --count (" + count + ") must be at least 1");
                return 1;
            }
            if (replace != null && count != 1) {
                System.err.println("error: --replace starts one node, not --count " + count);
                return 1;
            }
            ClusterDirectory cluster = options.open();
            NodeId replaced = replace == null ? null : cluster.node(replace);
            if (replaced != null && cluster.process(replaced).isPresent()) {
                System.err.println("error: " + replaced + " is running: replacing is for a node that is gone for good"
                        + " (kill it, or dkv cluster remove it and add a node)");
                return 1;
            }
            NodeId member = cluster.nodeIds().stream().filter(node -> cluster.process(node).isPresent()).findFirst()
                    .orElse(null);
            if (member == null) {
                System.err.println("error: no node of " + options.dir + " is running to join");
                return 1;
            }
            List<String> template = cluster.command(member);
            int first = cluster.nodes() + 1;
            cluster.addNodes(count);
            for (int number = first; number < first + count; number++) {
                NodeId node = NodeId.of(number);
                Files.createDirectories(cluster.nodeDir(node));
                List<String> command = joinCommand(cluster, template, node, member, options.credentials());
                if (replaced != null) {
                    command.addAll(List.of("--set", "replace=" + replaced));
                }
                cluster.saveCommand(node, command);
                cluster.launch(node);
                cluster.awaitServing(node, Duration.ofSeconds(options.waitSeconds));
                RingChangeWatch.RingView ring = awaitJoined(cluster, node, Duration.ofSeconds(joinSeconds));
                System.out.println(node + (replaced == null ? " joined: " : " replaced " + replaced + ": ")
                        + ring.nodes());
            }
            Status.print(cluster);
            return 0;
        }

        /**
         * A running member's command with this node's id, folders and a join setting instead.
         * The member's client port asks the joining node for a password when the cluster has
         * one: the credentials this command checks the nodes with (-a, --user) become the new
         * node's {@code join-password} and {@code join-user} (Redis's masterauth and
         * masteruser), passed as {@code up} passes requirepass, unless the member's command
         * names a join password already.
         */
        static List<String> joinCommand(ClusterDirectory cluster, List<String> template, NodeId node,
                                        NodeId member, Credentials credentials) {
            List<String> command = new ArrayList<>(template);
            replaceValue(command, "--node", node.toString());
            replaceValue(command, "--data-dir", cluster.dataDir(node).toAbsolutePath().toString());
            replaceValue(command, "--pid-file", cluster.nodeDir(node).resolve("pid").toAbsolutePath().toString());
            command.add("--set");
            command.add("join=" + cluster.host() + ":" + cluster.clientPort(member));
            boolean named = command.stream().anyMatch(arg -> arg.startsWith("join-password=") || arg.startsWith("join-user="));
            if (credentials.present() && !named) {
                if (credentials.user() != null) {
                    command.addAll(List.of("--set", "join-user=" + credentials.user()));
                }
                command.addAll(List.of("--set", "join-password=" + credentials.password()));
            }
            return command;
        }

        private static void replaceValue(List<String> command, String option, String value) {
            int at = command.indexOf(option);
            if (at < 0 || at + 1 >= command.size()) {
                throw new IllegalStateException("the saved node command has no " + option);
            }
            command.set(at + 1, value);
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = {
            "Decommissions one node (its partitions move to the others) and stops it."})
    static final class Remove extends NodeAction {
        @Option(names = "--leave-seconds", defaultValue = "3600",
                description = "How long to wait for its partitions to move (default ${DEFAULT-VALUE}).")
        long leaveSeconds;

        @Override
        int act(ClusterDirectory cluster, NodeId node, Optional<ProcessHandle> process) throws IOException {
            if (process.isEmpty()) {
                System.err.println("error: " + node + " is not running: start it, or take it out with"
                        + " dkv removenode " + node + " if it is gone for good");
                return 1;
            }
            try (RespClient client = cluster.client(node)) {
                int left = RingChangeWatch.run(client, System.out, leaveSeconds, "DKV.DECOMMISSION");
                if (left != 0) {
                    return left;
                }
            }
            System.out.println(node + " left");
            process.get().destroy();
            Signals.awaitExit(List.of(process.get()), Duration.ofSeconds(options.waitSeconds), true);
            System.out.println("stopped " + node);
            return 0;
        }
    }

    /** Waits until {@code node} is in the ring it routes by and no change is under way; returns that ring. */
    static RingChangeWatch.RingView awaitJoined(ClusterDirectory cluster, NodeId node, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try (RespClient client = cluster.client(node)) {
                RingChangeWatch.RingView ring = RingChangeWatch.view(client);
                if (!ring.moving() && ring.nodeIds().contains(node.toString())) {
                    return ring;
                }
            } catch (IOException e) {
                // Not answering yet: ask again until the limit.
            }
            if (cluster.process(node).isEmpty()) {
                throw new IOException(node + " exited while joining; last lines of " + cluster.logFile(node) + ":\n"
                        + cluster.tail(node, 20));
            }
            ClusterDirectory.sleep(250);
        }
        throw new IOException(node + " did not join within " + limit.toSeconds() + " s; last lines of "
                + cluster.logFile(node) + ":\n" + cluster.tail(node, 20));
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stops every node (SIGTERM, then SIGKILL after 10 s).")
    static final class Down implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DirOption options = new DirOption();

        @Override
        public Integer call() throws IOException {
            ClusterDirectory cluster = options.open();
            List<ProcessHandle> running = new ArrayList<>();
            for (NodeId node : cluster.nodeIds()) {
                cluster.process(node).ifPresent(process -> {
                    process.destroy();
                    running.add(process);
                });
            }
            Signals.awaitExit(running, Duration.ofSeconds(10), true);
            System.out.println("stopped " + running.size() + " node(s)");
            return 0;
        }
    }

    /**
     * A subcommand that acts on one node of the cluster: opens the folder, checks the node
     * belongs to it, and hands over its process when it is running.
     */
    abstract static class NodeAction implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DirOption options = new DirOption();

        @Parameters(index = "0", description = "The node, e.g. n2.")
        String node;

        @Override
        public final Integer call() throws IOException, InterruptedException {
            ClusterDirectory cluster = options.open();
            NodeId id = cluster.node(node);
            return act(cluster, id, cluster.process(id));
        }

        abstract int act(ClusterDirectory cluster, NodeId node, Optional<ProcessHandle> process)
                throws IOException, InterruptedException;

        static int notRunning(NodeId node) {
            System.err.println("error: " + node + " is not running");
            return 1;
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true, description = "Kills one node with SIGKILL.")
    static final class Kill extends NodeAction {
        @Override
        int act(ClusterDirectory cluster, NodeId node, Optional<ProcessHandle> process) {
            if (process.isEmpty()) {
                return notRunning(node);
            }
            process.get().destroyForcibly();
            Signals.awaitExit(List.of(process.get()), Duration.ofSeconds(10), false);
            System.out.println("killed " + node + " (pid " + process.get().pid() + ")");
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stops one node gracefully (SIGTERM).")
    static final class Stop extends NodeAction {
        @Override
        int act(ClusterDirectory cluster, NodeId node, Optional<ProcessHandle> process) {
            if (process.isEmpty()) {
                return notRunning(node);
            }
            process.get().destroy();
            Signals.awaitExit(List.of(process.get()), Duration.ofSeconds(options.waitSeconds), true);
            System.out.println("stopped " + node);
            return 0;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Starts a stopped or killed node again, same ports.")
    static final class Start extends NodeAction {
        @Override
        int act(ClusterDirectory cluster, NodeId node, Optional<ProcessHandle> process) throws IOException {
            if (process.isPresent()) {
                System.err.println("error: " + node + " is already running");
                return 1;
            }
            cluster.launch(node);
            cluster.awaitServing(node, Duration.ofSeconds(options.waitSeconds));
            System.out.println("started " + node + " (pid " + cluster.recordedPid(node).orElseThrow() + ")");
            return 0;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Freezes one node with SIGSTOP (it stays connected but silent).")
    static final class Pause extends NodeAction {
        @Override
        int act(ClusterDirectory cluster, NodeId node, Optional<ProcessHandle> process) throws IOException, InterruptedException {
            return process.isEmpty() ? notRunning(node) : Signals.send(node, process.get(), "STOP", "paused");
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Thaws a paused node with SIGCONT.")
    static final class Resume extends NodeAction {
        @Override
        int act(ClusterDirectory cluster, NodeId node, Optional<ProcessHandle> process) throws IOException, InterruptedException {
            return process.isEmpty() ? notRunning(node) : Signals.send(node, process.get(), "CONT", "resumed");
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Lists the nodes: pid, whether alive, whether answering.")
    static final class Status implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DirOption options = new DirOption();

        @Override
        public Integer call() throws IOException {
            print(options.open());
            return 0;
        }

        static void print(ClusterDirectory cluster) {
            System.out.printf("%-6s %-9s %-6s %-10s %s%n", "node", "pid", "alive", "answering", "client port");
            for (NodeId node : cluster.nodeIds()) {
                boolean alive = cluster.process(node).isPresent();
                System.out.printf("%-6s %-9s %-6s %-10s %d%n", node,
                        cluster.recordedPid(node).map(String::valueOf).orElse("-"),
                        alive ? "yes" : "no", alive && cluster.answersPing(node) ? "yes" : "no", cluster.clientPort(node));
            }
            System.out.flush();
        }
    }
}
