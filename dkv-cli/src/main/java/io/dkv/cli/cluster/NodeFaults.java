package io.dkv.cli.cluster;

import io.dkv.core.NodeId;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The faults {@code dkv cluster kill|start|pause|resume} inject, as calls for other
 * commands in this process (the nemesis of {@code dkv check}): same signals, same launch,
 * nothing printed. Not thread-safe; one caller drives it.
 */
public final class NodeFaults {

    private final ClusterDirectory cluster;

    public NodeFaults(ClusterDirectory cluster) {
        this.cluster = cluster;
    }

    /** SIGKILL, then waits (up to 10 s) until the process is gone. */
    public void kill(NodeId node) throws IOException {
        ProcessHandle process = running(node);
        process.destroyForcibly();
        Signals.awaitExit(List.of(process), Duration.ofSeconds(10), false);
        if (process.isAlive()) {
            throw new IOException(node + " (pid " + process.pid() + ") is still alive 10 s after SIGKILL");
        }
    }

    /** SIGTERM: a graceful stop (data synced, clean shutdown recorded); waits until the process is gone. */
    public void stop(NodeId node, Duration limit) throws IOException {
        ProcessHandle process = running(node);
        process.destroy();
        Signals.awaitExit(List.of(process), limit, true);
        if (process.isAlive()) {
            throw new IOException(node + " (pid " + process.pid() + ") is still alive " + limit.toSeconds() + " s after SIGTERM");
        }
    }

    /** Starts a node that is not running with its saved command; waits until it answers PING. */
    public void start(NodeId node, Duration limit) throws IOException {
        if (cluster.process(node).isPresent()) {
            return;
        }
        cluster.launch(node);
        cluster.awaitServing(node, limit);
    }

    /** SIGSTOP: the process keeps its sockets open but answers nothing. */
    public void pause(NodeId node) throws IOException {
        signal(running(node), "STOP");
    }

    /** SIGCONT. */
    public void resume(NodeId node) throws IOException {
        signal(running(node), "CONT");
    }

    public boolean isRunning(NodeId node) {
        return cluster.process(node).isPresent();
    }

    private ProcessHandle running(NodeId node) throws IOException {
        return cluster.process(node).orElseThrow(() -> new IOException(node + " is not running"));
    }

    private static void signal(ProcessHandle process, String signal) throws IOException {
        try {
            int exit = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            if (exit != 0) {
                throw new IOException("kill -" + signal + " " + process.pid() + " failed with exit code " + exit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending SIG" + signal, e);
        }
    }
}
