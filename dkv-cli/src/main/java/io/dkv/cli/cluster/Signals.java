package io.dkv.cli.cluster;

import io.dkv.core.NodeId;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

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
    static int send(NodeId node, ProcessHandle process, String signal, String done) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            System.err.println("error: kill -" + signal + " failed with exit code " + exit);
            return 1;
        }
        System.out.println(done + " " + node + " (pid " + process.pid() + ")");
        return 0;
    }
}
