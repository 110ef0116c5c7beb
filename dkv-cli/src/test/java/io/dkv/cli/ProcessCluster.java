package io.dkv.cli;

import io.dkv.cli.ChildProcesses.Result;
import io.dkv.testkit.Ports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster of node processes started with {@code dkv cluster up} for one integration test,
 * with its folder and ports; {@link #down} stops it, and kills any node process it leaves.
 */
final class ProcessCluster {

    private final Path workDir;
    private final Path dir;
    private final int basePort;
    private final int nodes;

    private ProcessCluster(Path workDir, int basePort, int nodes) {
        this.workDir = workDir;
        this.dir = workDir.resolve("cluster");
        this.basePort = basePort;
        this.nodes = nodes;
    }

    /** Starts {@code nodes} processes with RF 3 and small heaps; fails the test if they do not come up. */
    static ProcessCluster up(String name, int nodes) {
        ProcessCluster cluster = new ProcessCluster(ChildProcesses.workDir(name), Ports.freeBasePort(nodes), nodes);
        Result up = cluster.dkv("cluster", "up", "--nodes", String.valueOf(nodes), "--replicas", "3",
                "--dir", cluster.dir.toString(), "--base-port", String.valueOf(cluster.basePort), "--jvm-opt=-Xmx192m");
        assertThat(up.exitCode()).as(up.describe()).isZero();
        return cluster;
    }

    /**
     * Like {@link #up(String, int)}, with more {@code dkv cluster up} arguments, e.g.
     * {@code --set hinted-handoff=false}; nodes that did start are killed if another did not.
     */
    static ProcessCluster up(String name, int nodes, String... moreArgs) {
        ProcessCluster cluster = new ProcessCluster(ChildProcesses.workDir(name), Ports.freeBasePort(nodes), nodes);
        List<String> args = new ArrayList<>(List.of("cluster", "up", "--nodes", String.valueOf(nodes), "--replicas", "3",
                "--dir", cluster.dir.toString(), "--base-port", String.valueOf(cluster.basePort), "--jvm-opt=-Xmx192m"));
        args.addAll(List.of(moreArgs));
        Result up = cluster.dkv(args.toArray(String[]::new));
        if (up.exitCode() != 0) {
            cluster.killLeftoverNodes();
        }
        assertThat(up.exitCode()).as(up.describe()).isZero();
        return cluster;
    }

    Path workDir() {
        return workDir;
    }

    Path dir() {
        return dir;
    }

    int basePort() {
        return basePort;
    }

    int respPort(int node) {
        return basePort + node - 1;
    }

    int httpPort(int node) {
        return basePort + 2000 + node - 1;
    }

    /** Runs a dkv command in this cluster's work folder. */
    Result dkv(String... args) {
        return ChildProcesses.dkv(workDir, args);
    }

    /** Runs {@code dkv cluster <action> --dir <dir> [node]} and fails the test if it fails. */
    Result cluster(String action, String... nodeArgs) {
        String[] args = new String[3 + nodeArgs.length];
        args[0] = "cluster";
        args[1] = action;
        args[2] = "--dir=" + dir;
        System.arraycopy(nodeArgs, 0, args, 3, nodeArgs.length);
        Result result = dkv(args);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
    }

    /** {@code dkv cluster down}; then kills, by the pid in its folder, any node of this cluster still alive. */
    void down() {
        if (!Files.exists(dir.resolve("cluster.properties"))) {
            return;
        }
        try {
            cluster("down");
        } finally {
            killLeftoverNodes();
        }
    }

    private void killLeftoverNodes() {
        for (int node = 1; node <= nodes; node++) {
            Path pidFile = dir.resolve("n" + node).resolve("pid");
            try {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                ProcessHandle.of(pid)
                        .filter(ProcessHandle::isAlive)
                        .filter(process -> process.info().commandLine().orElse("").contains(dir.toString()))
                        .ifPresent(ProcessHandle::destroyForcibly);
            } catch (IOException | NumberFormatException e) {
                // No pid recorded: nothing was started for this node.
            }
        }
    }
}
