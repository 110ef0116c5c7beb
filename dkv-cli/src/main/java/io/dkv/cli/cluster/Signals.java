package io.dkv.cli.cluster;

import io.dkv.core.NodeId;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Signalling node processes and waiting for them to go. */
final class Signals {

    private Signals() {
    }

    /** Waits for the processes to exit; past the limit, kills them if {@code forceAfter}. */
    static void awaitExit(List<ProcessHandle> processes, Duration limit, boolean forceAfter) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (processes.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            ClusterDirectory.sleep(50);
        }
        if (forceAfter) {
            processes.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            long killDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (processes.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < killDeadline) {
                ClusterDirectory.sleep(50);
            }
        }
    }

    /** Sends a signal by name (STOP, CONT) with the system's kill command. */
    static int send(ClusterDirectory cluster, String nodeText, String signal, String done)
            throws IOException, InterruptedException {
        NodeId node = cluster.node(nodeText);
        Optional<ProcessHandle> process = cluster.process(node);
        if (process.isEmpty()) {
            System.err.println("error: " + node + " is not running");
            return 1;
        }
        int exit = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.get().pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            System.err.println("error: kill -" + signal + " failed with exit code " + exit);
            return 1;
        }
        System.out.println(done + " " + node + " (pid " + process.get().pid() + ")");
        return 0;
    }
}
