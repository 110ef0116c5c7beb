package io.dkv.cli;

import io.dkv.server.NodeServer;
import io.dkv.server.config.NodeSettings;
import io.dkv.server.config.SettingsBuilder;
import io.dkv.server.net.NettyRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code dkv server}: one node of a real cluster, in this process, until SIGTERM or Ctrl-C. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Runs one node. Settings come from --config (YAML), then from flags, which win.",
                "config/node.example.yaml documents every setting."})
final class ServerCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML settings file.")
    Path config;

    @Option(names = "--node", description = "This node's id: n1..nN, or a new id to join a running cluster (with --join).")
    String node;

    @Option(names = "--join", paramLabel = "HOST:PORT",
            description = "Join a running cluster through the member whose client port this is.")
    String join;

    @Option(names = "--replace", paramLabel = "NODE",
            description = "With --join: take over the partitions of NODE, which is gone for good.")
    String replace;

    @Option(names = "--nodes", description = "Nodes in the cluster (N).")
    String nodes;

    @Option(names = "--replicas", description = "Replicas per key (RF).")
    String replicas;

    @Option(names = "--host", description = "Address to listen on and to be reached at.")
    String host;

    @Option(names = "--base-port", description = "Ports derive from it: P+i, P+1000+i, P+2000+i.")
    String basePort;

    @Option(names = "--resp-port", description = "Client port (overrides base-port).")
    String respPort;

    @Option(names = "--internode-port", description = "Peer port (overrides base-port).")
    String internodePort;

    @Option(names = "--http-port", description = "HTTP port (overrides base-port; 0 turns it off).")
    String httpPort;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The node's data directory (default: data/<node>, RocksDB; --set storage=memory keeps data in memory).")
    String dataDir;

    @Option(names = "--peer", paramLabel = "NODE=HOST:PORT", description = "A peer's internode address (repeatable).")
    Map<String, String> peers = new LinkedHashMap<>();

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Any other setting, e.g. --set replica-timeout-ms=500.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write this process's id here once serving.")
    Path pidFile;

    @Option(names = "--io-threads", description = "Event loops for clients and peers (default: one per core).")
    Integer ioThreads;

    @Override
    public Integer call() throws InterruptedException, IOException {
        SettingsBuilder builder = new SettingsBuilder();
        if (config != null) {
            builder.load(config);
        }
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("node", node);
        flags.put("nodes", nodes);
        flags.put("replicas", replicas);
        flags.put("host", host);
        flags.put("base-port", basePort);
        flags.put("resp-port", respPort);
        flags.put("internode-port", internodePort);
        flags.put("http-port", httpPort);
        flags.put("data-dir", dataDir);
        flags.put("join", join);
        flags.put("replace", replace);
        flags.forEach((name, value) -> {
            if (value != null) {
                builder.set(name, value);
            }
        });
        settings.forEach(builder::set);
        peers.forEach(builder::peer);
        builder.defaultDataDir(id -> Path.of("data", id.toString()));
        NodeSettings nodeSettings = builder.build();

        NettyRuntime runtime = ioThreads != null ? new NettyRuntime(ioThreads) : NettyRuntime.perCore();
        NodeServer server;
        try {
            // In memory, this process cannot tell a first start from a restart that lost
            // everything, so it recovers (compares with the other replicas) before it votes; a
            // durable node decides from its data directory.
            server = NodeServer.start(nodeSettings, runtime, true);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            runtime.close();
            stopped.countDown();
        }, "dkv-shutdown"));
        if (pidFile != null) {
            // Written aside and moved in place, so a reader never sees an empty or partial pid.
            Path written = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
            Files.writeString(written, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
            Files.move(written, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        System.out.printf("%s serving clients on %s:%s%s (internode %d%s) in a cluster of %d nodes, %d replicas; data %s%n",
                nodeSettings.node(), nodeSettings.host(), server.respPort() == 0 ? "(plain port off)" : server.respPort(),
                server.tlsPort() != 0 ? " and over TLS on " + server.tlsPort() : "", nodeSettings.internodePort(),
                nodeSettings.tls().cluster() ? ", mutual TLS" : "",
                nodeSettings.cluster().nodes(), nodeSettings.cluster().replicas(), nodeSettings.storage().describe());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
