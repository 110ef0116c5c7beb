package io.dkv.cli.check;

import io.dkv.cli.check.Verdict.Finding;
import io.dkv.cli.check.Verdict.Problem;
import io.dkv.cli.client.AuthOptions;
import io.dkv.cli.client.ClientTls;
import io.dkv.cli.client.Credentials;
import io.dkv.cli.client.TlsOptions;
import io.dkv.server.config.TlsSettings;
import io.dkv.cli.client.RespClient;
import io.dkv.cli.cluster.ClusterDirectory;
import io.dkv.cli.cluster.NodeFaults;
import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code dkv check}: a Jepsen-style test of a running cluster. Clients write unique values and
 * read them back with their versions ({@code DKV.PUT}, {@code DKV.GET}) while an optional
 * nemesis kills or pauses one node at a time; then the cluster settles, every node reads
 * every key, and {@link HistoryChecker} judges the history. The last line is
 * {@code lost: A, stale: B, corrupt: C, divergent: D}; the exit code is 0 only when all are 0.
 */
@Command(name = "check", description = {
        "Jepsen-style checker of a running cluster, with an optional kill/pause/restart nemesis.",
        "Clients write unique values and read them back with their versions while the",
        "nemesis (--dir, --nemesis) faults one node at a time; then every node reads",
        "every key and the history is judged. Last line:",
        "  lost: A, stale: B, corrupt: C, divergent: D",
        "Exit code 0 when all four are 0, 1 otherwise."})
public final class CheckCommand implements Callable<Integer> {

    private static final int READY_POLL_MILLIS = 100;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-h", "--host"}, paramLabel = "HOST", defaultValue = "127.0.0.1", description = "Host of the nodes (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "7400", split = ",", paramLabel = "PORT",
            description = "Client ports of the nodes, comma-separated; clients spread over them (default ${DEFAULT-VALUE};"
                    + " with --dir, every node of the cluster).")
    List<Integer> ports;

    @CommandLine.Mixin
    AuthOptions auth = new AuthOptions();

    @CommandLine.Mixin
    TlsOptions tls = new TlsOptions();

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "30", description = "How long the load runs (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--keys", paramLabel = "K", defaultValue = "20", description = "How many keys (default ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--clients", paramLabel = "C", defaultValue = "8", description = "Concurrent clients, one connection each (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--rate", paramLabel = "OPS", defaultValue = "0",
            description = "Operations per second, all clients together; 0 for as fast as they go (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--read", paramLabel = "LEVEL", defaultValue = "QUORUM", description = "Read level: ONE, QUORUM or ALL (default ${DEFAULT-VALUE}).")
    Consistency read;

    @Option(names = "--write", paramLabel = "LEVEL", defaultValue = "QUORUM", description = "Write level: ONE, QUORUM or ALL (default ${DEFAULT-VALUE}).")
    Consistency write;

    @Option(names = "--dir", paramLabel = "DIR", description = "The folder of a cluster started with dkv cluster up: its nodes, and the nemesis's processes.")
    Path dir;

    @Option(names = "--nemesis", split = ",", paramLabel = "KIND",
            description = "Faults to inject, one node at a time (needs --dir): kill (SIGKILL, then start again), pause (SIGSTOP, then SIGCONT), restart (SIGTERM, then start again).")
    List<Nemesis.Kind> nemesis = new ArrayList<>();

    @Option(names = "--fault-seconds", paramLabel = "S", defaultValue = "3", description = "How long each fault lasts before it is healed (default ${DEFAULT-VALUE}).")
    int faultSeconds;

    @Option(names = "--healthy-seconds", paramLabel = "S", defaultValue = "2", description = "Healthy time before and between faults (default ${DEFAULT-VALUE}).")
    int healthySeconds;

    @Option(names = "--settle-seconds", paramLabel = "S", defaultValue = "60",
            description = "After the load, how long to wait for every key's replicas to agree (default ${DEFAULT-VALUE}).")
    int settleSeconds;

    @Option(names = "--ready-seconds", paramLabel = "S", defaultValue = "60",
            description = "How long a node may take to be ready again after a fault (default ${DEFAULT-VALUE}).")
    int readySeconds;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "5000",
            description = "A request with no answer after this long is indeterminate (default ${DEFAULT-VALUE}).")
    int timeoutMillis;

    @Option(names = "--examples", paramLabel = "N", defaultValue = "5", description = "Examples printed per kind of problem (default ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--seed", paramLabel = "SEED", description = "Seed of the clients' and the nemesis's choices (default: random, printed).")
    Long seed;

    private PrintWriter out;
    private long origin;

    @Override
    public Integer call() throws IOException, InterruptedException {
        validate();
        out = spec.commandLine().getOut();
        long seedValue = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        ClusterDirectory cluster = dir == null ? null : ClusterDirectory.open(dir).withCredentials(credentials()).withTls(clientTls());
        List<Endpoint> endpoints = endpoints(cluster);
        Duration readyLimit = Duration.ofSeconds(readySeconds);
        for (Endpoint endpoint : endpoints) {
            if (!awaitReady(endpoint, readyLimit)) {
                throw new IOException(endpoint + " is not ready (no PING answer, or recovering)");
            }
        }
        String tag = Long.toString(System.currentTimeMillis(), 36);
        List<String> keyNames = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            keyNames.add("check-" + tag + "-" + i);
        }
        Map<String, List<String>> replicas = new LinkedHashMap<>();
        Map<String, Map<String, String>> states = replicaStates(endpoints, keyNames);
        states.forEach((key, byNode) -> replicas.put(key, List.copyOf(byNode.keySet())));
        int rf = replicas.values().stream().mapToInt(List::size).max().orElse(0);
        out.printf(Locale.ROOT, "dkv check: %d s, %d clients%s, %d keys, %d node(s) (RF %d), read %s, write %s, nemesis %s, seed %d%n",
                seconds, clients, rate == 0 ? "" : " at " + rate + " ops/s", keys, endpoints.size(), rf, read, write,
                nemesis.isEmpty() ? "none" : String.join(",", nemesis.stream().map(Nemesis.Kind::word).toList()), seedValue);
        out.flush();

        origin = System.nanoTime();
        Load load = runLoad(cluster, endpoints, keyNames, seedValue, readyLimit);
        if (cluster != null) {
            restoreAll(cluster, endpoints, readyLimit);
        }

        long settleStart = System.nanoTime();
        Map<String, Map<String, String>> finalStates = settle(endpoints, keyNames);
        double settled = (System.nanoTime() - settleStart) / 1e9;
        List<History.FinalRead> finalReads = finalReads(endpoints, keyNames);

        List<Op> ops = new ArrayList<>();
        load.clients().forEach(client -> ops.addAll(client.history()));
        List<Fault> injected = load.nemesis() == null ? List.of() : load.nemesis().faults();
        Verdict verdict = HistoryChecker.check(new History(ops, injected, replicas, read, write, finalReads, finalStates, origin));
        report(verdict, ops, injected, load, settled, finalStates, finalReads);
        return verdict.clean() ? 0 : 1;
    }

    /** The clients after the load, the nemesis if there was one, and when the load ended. */
    private record Load(List<CheckClient> clients, Nemesis nemesis, long ended) {
    }

    /**
     * Runs the clients until --seconds pass and the nemesis meanwhile; returns once the
     * clients are done and the nemesis has healed its last fault. Should this process be
     * stopped midway, a shutdown hook still has the nemesis heal the fault at hand.
     */
    private Load runLoad(ClusterDirectory cluster, List<Endpoint> endpoints, List<String> keyNames, long seedValue,
                         Duration readyLimit) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        long deadline = origin + TimeUnit.SECONDS.toNanos(seconds);
        long interval = rate == 0 ? 0 : TimeUnit.SECONDS.toNanos(clients) / rate;
        List<CheckClient> load = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            CheckClient client = new CheckClient(i, endpoints, keyNames, read, write, deadline, interval, timeoutMillis,
                    seedValue + i, stop);
            load.add(client);
            threads.add(new Thread(client, "check-client-" + i));
        }
        Nemesis faults = null;
        Thread nemesisThread = null;
        Thread healOnExit = null;
        if (!nemesis.isEmpty()) {
            faults = new Nemesis(new NodeFaults(cluster), endpoints, nemesis.stream().distinct().sorted().toList(),
                    new Nemesis.Timing(Duration.ofSeconds(healthySeconds), Duration.ofSeconds(faultSeconds), readyLimit),
                    seedValue, out, origin, endpoint -> endpoint.ready(1_000));
            nemesisThread = new Thread(faults, "check-nemesis");
            healOnExit = new Thread(healOnExit(faults, nemesisThread), "check-heal-on-exit");
            Runtime.getRuntime().addShutdownHook(healOnExit);
            nemesisThread.start();
        }
        threads.forEach(Thread::start);
        long ended;
        try {
            for (Thread thread : threads) {
                thread.join();
            }
        } finally {
            ended = System.nanoTime();
            stop.set(true);
            if (faults != null) {
                faults.stop();
                nemesisThread.join();
                try {
                    Runtime.getRuntime().removeShutdownHook(healOnExit);
                } catch (IllegalStateException e) {
                    // Already shutting down: the hook runs, and finds the nemesis done.
                }
            }
        }
        return new Load(load, faults, ended);
    }

    private static Runnable healOnExit(Nemesis faults, Thread nemesisThread) {
        return () -> {
            faults.stop();
            try {
                nemesisThread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    private void validate() {
        if (seconds < 1 || keys < 1 || clients < 1 || faultSeconds < 1 || healthySeconds < 1 || readySeconds < 1
                || settleSeconds < 0 || timeoutMillis < 1 || examples < 0 || rate < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seconds, --keys, --clients, --fault-seconds,"
                    + " --healthy-seconds, --ready-seconds and --timeout-ms must be positive; --settle-seconds, --examples and --rate not negative");
        }
        if (!nemesis.isEmpty() && dir == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--nemesis needs --dir: the folder of a cluster started with dkv cluster up");
        }
    }

    private Credentials credentials() {
        try {
            return auth.credentials();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private ClientTls clientTls() {
        try {
            return tls.clientTls();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * The nodes to use: -p's ports, or with --dir every node of the cluster (unless -p picks
     * some); with --tls and --dir, the nodes' TLS ports (base port + 3000 + i).
     */
    private List<Endpoint> endpoints(ClusterDirectory cluster) {
        boolean portsGiven = spec.commandLine().getParseResult().hasMatchedOption("--port");
        ClientTls clientTls = clientTls();
        List<Endpoint> endpoints = new ArrayList<>();
        if (cluster == null) {
            ports.forEach(port -> endpoints.add(new Endpoint(host, port, null, credentials(), clientTls)));
            return endpoints;
        }
        int offset = clientTls.enabled() ? TlsSettings.PORT_OFFSET : 0;
        if (!portsGiven) {
            cluster.nodeIds().forEach(node -> endpoints.add(new Endpoint(cluster.host(), cluster.clientPort(node),
                    node.toString(), credentials(), clientTls)));
            return endpoints;
        }
        for (int port : ports) {
            int number = port - offset - cluster.basePort() + 1;
            if (number < 1 || number > cluster.nodes()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "port " + port + " is not a client " + (clientTls.enabled() ? "TLS " : "") + "port of the cluster in " + dir);
            }
            endpoints.add(new Endpoint(cluster.host(), port, NodeId.of(number).toString(), credentials(), clientTls));
        }
        return endpoints;
    }

    /** Per key, node by node, what each replica holds (DKV.REPLICAS), asking each endpoint in turn until one answers. */
    private Map<String, Map<String, String>> replicaStates(List<Endpoint> endpoints, List<String> keyNames) throws IOException {
        IOException last = null;
        for (Endpoint endpoint : endpoints) {
            try (RespClient client = endpoint.open(timeoutMillis)) {
                Map<String, Map<String, String>> states = new LinkedHashMap<>();
                for (String key : keyNames) {
                    Object reply = client.call("DKV.REPLICAS", key);
                    if (!(reply instanceof List<?> rows)) {
                        throw new IOException("DKV.REPLICAS " + key + " through " + endpoint.name() + ": " + reply);
                    }
                    Map<String, String> byNode = new LinkedHashMap<>();
                    for (Object row : rows) {
                        List<?> fields = (List<?>) row;
                        byNode.put(Endpoint.text(fields.get(0)), Endpoint.text(fields.get(2)));
                    }
                    states.put(key, byNode);
                }
                return states;
            } catch (IOException | RuntimeException e) {
                last = e instanceof IOException io ? io : new IOException(e.toString(), e);
            }
        }
        throw new IOException("no node answered DKV.REPLICAS: " + (last == null ? "no nodes" : last.getMessage()), last);
    }

    /** Polls until every key's replicas hold the same version (none unreachable), or --settle-seconds pass. */
    private Map<String, Map<String, String>> settle(List<Endpoint> endpoints, List<String> keyNames) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settleSeconds);
        Map<String, Map<String, String>> states = Map.of();
        while (true) {
            try {
                states = replicaStates(endpoints, keyNames);
                if (states.values().stream().allMatch(CheckCommand::agree)) {
                    return states;
                }
            } catch (IOException e) {
                // Try again until the deadline.
            }
            if (System.nanoTime() >= deadline) {
                return states;
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    private static boolean agree(Map<String, String> byNode) {
        return new HashSet<>(byNode.values()).size() == 1 && !byNode.containsValue("unreachable");
    }

    /** Every key read through every node, at the read level. */
    private List<History.FinalRead> finalReads(List<Endpoint> endpoints, List<String> keyNames) {
        List<History.FinalRead> reads = new ArrayList<>();
        for (Endpoint endpoint : endpoints) {
            RespClient client = null;
            try {
                client = endpoint.connect(read, write, timeoutMillis);
            } catch (IOException | RuntimeException e) {
                // Each read below is recorded as failed.
            }
            for (String key : keyNames) {
                long start = System.nanoTime();
                Op op;
                try {
                    if (client == null) {
                        throw new IOException("cannot connect to " + endpoint);
                    }
                    op = CheckClient.parseRead(-1, key, start, System.nanoTime(), client.call("DKV.GET", key));
                    op = new Op(-1, key, Op.Kind.READ, start, System.nanoTime(), op.outcome(), op.value(), op.version(), op.error());
                } catch (IOException | RuntimeException e) {
                    op = Op.read(-1, key, start, System.nanoTime(), Op.Outcome.INDETERMINATE, null, null, e.toString());
                }
                reads.add(new History.FinalRead(endpoint.name(), op));
            }
            if (client != null) {
                try {
                    client.close();
                } catch (IOException e) {
                    // Nothing to do.
                }
            }
        }
        return reads;
    }

    /** Starts any node that is not running and waits until every node is ready. */
    private void restoreAll(ClusterDirectory cluster, List<Endpoint> endpoints, Duration limit) throws IOException {
        NodeFaults faults = new NodeFaults(cluster);
        for (NodeId node : cluster.nodeIds()) {
            if (!faults.isRunning(node)) {
                out.println("starting " + node + ", which is not running");
                out.flush();
                faults.start(node, limit);
            }
        }
        for (Endpoint endpoint : endpoints) {
            if (!awaitReady(endpoint, limit)) {
                out.println("warning: " + endpoint + " is not ready " + limit.toSeconds() + " s after the load");
                out.flush();
            }
        }
    }

    private static boolean awaitReady(Endpoint endpoint, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        do {
            if (endpoint.ready(1_000)) {
                return true;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(READY_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        } while (System.nanoTime() < deadline);
        return false;
    }

    private void report(Verdict verdict, List<Op> ops, List<Fault> injected, Load load, double settled,
                        Map<String, Map<String, String>> finalStates, List<History.FinalRead> finalReads) {
        long writes = ops.stream().filter(op -> op.kind() == Op.Kind.WRITE).count();
        out.printf(Locale.ROOT, "ops: %d in %.1f s (writes %d, reads %d), ok: %d, failed: %d, indeterminate: %d, reconnects: %d%n",
                verdict.ops(), (load.ended() - origin) / 1e9, writes, verdict.ops() - writes, verdict.ok(), verdict.failed(),
                verdict.indeterminate(), load.clients().stream().mapToInt(CheckClient::reconnects).sum());
        List<String> described = new ArrayList<>();
        for (Fault fault : injected) {
            described.add(String.format(Locale.ROOT, "%s %s %.1f-%s", fault.kind(), fault.node(),
                    (fault.start() - origin) / 1e9, fault.end() == Long.MAX_VALUE ? "never ready"
                            : String.format(Locale.ROOT, "%.1fs", (fault.end() - origin) / 1e9)));
        }
        out.println("faults injected: " + injected.size() + (described.isEmpty() ? "" : " (" + String.join(", ", described) + ")"));
        if (load.nemesis() != null && load.nemesis().problem() != null) {
            out.println("nemesis stopped early: " + load.nemesis().problem());
        }
        long agreeing = finalStates.values().stream().filter(CheckCommand::agree).count();
        out.printf(Locale.ROOT, "settle: %d of %d keys with all replicas agreeing, after %.1f s%n", agreeing, keys, settled);
        long finalFailed = finalReads.stream().filter(read -> !read.read().ok()).count();
        if (finalFailed > 0) {
            out.println("final reads that failed (not judged): " + finalFailed + " of " + finalReads.size());
        }
        out.println("stale outside the guarantee: " + verdict.count(Problem.STALE_OUTSIDE_GUARANTEE));
        for (Problem problem : List.of(Problem.LOST, Problem.STALE, Problem.CORRUPT, Problem.DIVERGENT,
                Problem.STALE_OUTSIDE_GUARANTEE)) {
            List<Finding> found = verdict.findings().get(problem);
            if (found.isEmpty() || examples == 0) {
                continue;
            }
            out.printf(Locale.ROOT, "%s (%d; first %d):%n", problem.name().toLowerCase(Locale.ROOT).replace('_', ' '),
                    found.size(), Math.min(examples, found.size()));
            found.stream().limit(examples).forEach(finding -> out.println("  " + finding.description()));
        }
        out.println(verdict.countsLine());
        out.flush();
    }
}
