package io.dkv.cli;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.server.LocalCluster;
import io.dkv.server.NodeServer;
import io.dkv.server.config.NodeSettings;
import io.dkv.server.config.StorageSettings;
import io.dkv.server.config.TlsSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code dkv local}: N real TCP nodes in this one process, until Ctrl-C. */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"Runs a cluster of N nodes in this process, each on its own TCP ports:",
                "clients P+i, internode P+1000+i, HTTP P+2000+i (node i counting from 0),",
                "and with --set tls-cert-file=... --set tls-key-file=..., clients over TLS on P+3000+i.",
                "Ctrl-C stops them all."})
final class LocalCommand implements Callable<Integer> {

    @Option(names = "--nodes", defaultValue = "3", description = "How many nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--replicas", defaultValue = "3", description = "Replicas per key (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--base-port", defaultValue = "" + NodeSettings.DEFAULT_BASE_PORT,
            description = "First client port, P (default ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--io-threads", description = "Event loops shared by the nodes (default: cores, at most one per node).")
    Integer ioThreads;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep each node's data in RocksDB under DIR/<node> (default: in memory, lost on exit).")
    Path dataDir;

    @Option(names = "--set", paramLabel = "NAME=VALUE",
            description = "Any other node setting, e.g. --set read-consistency=ONE (see config/node.example.yaml).")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws InterruptedException {
        LocalCluster cluster = LocalCluster.start(nodes, replicas, basePort,
                ioThreads != null ? ioThreads : LocalCluster.defaultIoThreads(nodes), builder -> {
                    if (dataDir != null) {
                        builder.defaultDataDir(node -> dataDir.resolve(node.toString()));
                    }
                    settings.forEach(builder::set);
                });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("dkv local: stopping " + nodes + " nodes");
            cluster.close();
            stopped.countDown();
        }, "dkv-shutdown"));
        printTable(cluster);
        stopped.await();
        return 0;
    }

    private void printTable(LocalCluster cluster) {
        ClusterConfig config = cluster.servers().get(0).settings().cluster();
        System.out.printf("dkv local: %d nodes, %d replicas per key, reads at %s, writes at %s%n",
                config.nodes(), config.replicas(), config.readConsistency(), config.writeConsistency());
        TlsSettings tls = cluster.servers().get(0).settings().tls();
        System.out.printf("%-6s %-22s %-22s %-22s%s%n", "node", "clients (RESP)", "internode", "http",
                tls.port() != 0 ? " clients (TLS)" : "");
        for (NodeServer server : cluster.servers()) {
            NodeSettings s = server.settings();
            String scheme = s.tls().http() ? "https://" : "http://";
            System.out.printf("%-6s %-22s %-22s %-22s%s%n", s.node(), s.respPort() == 0 ? "off" : s.host() + ":" + s.respPort(),
                    s.host() + ":" + s.internodePort() + (s.tls().cluster() ? " (TLS)" : ""),
                    s.httpPort() == 0 ? "off" : scheme + s.host() + ":" + s.httpPort() + "/",
                    s.tls().port() != 0 ? " " + s.host() + ":" + s.tls().port() : "");
        }
        StorageSettings storage = cluster.servers().get(0).settings().storage();
        System.out.println(storage.durable()
                ? "data: RocksDB under " + storage.dataDir().getParent() + "/<node>, sync "
                        + storage.sync().name().toLowerCase(Locale.ROOT)
                : "data: in memory, lost when dkv local stops (--data-dir DIR keeps it)");
        int port = cluster.servers().get(0).respPort();
        if (port != 0) {
            System.out.printf("Try: redis-cli -p %d SET hello world   or   ./dkv get hello -p %d%n", port, port);
        }
        if (tls.port() != 0) {
            String files = " --tls" + (tls.caCertFile() != null ? " --cacert " + tls.caCertFile() : "")
                    + (tls.authClients() == TlsSettings.AuthClients.YES ? " --cert CLIENT.crt --key CLIENT.key" : "");
            int tlsPort = cluster.servers().get(0).tlsPort();
            System.out.printf("TLS: redis-cli -p %d%s GET hello   or   ./dkv get hello -p %d%s%n", tlsPort, files, tlsPort, files);
        }
        System.out.println("Ctrl-C stops the cluster.");
        System.out.flush();
    }
}
