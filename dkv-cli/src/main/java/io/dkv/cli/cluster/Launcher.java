package io.dkv.cli.cluster;

import io.dkv.cli.Dkv;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/** How to start another dkv process with the same Java and the same code as this one. */
final class Launcher {

    /**
     * JVM options every node starts with, ahead of the user's own (a later option wins).
     *
     * <p>So that resident memory stays near the live heap: G1 whatever the machine (the JVM
     * picks Serial on small ones), a heap shrunk to hold at most 30% free after a collection
     * that marks it (G1's default keeps up to 70% free, which left a 1,000,000-key node with
     * three times its live heap resident), and a concurrent collection once 10 s pass without
     * one, so an idle node gives back what a burst of writes made the heap grow to.
     *
     * <p>So that writes cost less and wait less: a 10 ms pause goal (G1's default is 200), so
     * that young collections, which copy every record written since the last one, stay short
     * (the 3-node p99.9 at a fixed load halved); and no concurrent refinement threads. Every
     * write stores a new record into a table that lives in the old generation, which dirties
     * a card; the refinement threads rescanned such cards as fast as writes dirtied them
     * again, 10 % of a 3-node cluster's CPU under writes, and left the pauses no shorter.
     * Without them each dirty card is scanned once, in the next young pause.
     *
     * <p>The same options are in the {@code ./dkv} script (LauncherTest checks they agree);
     * measured in docs/BENCHMARKS.md, "Memory per key" and "Card refinement and Merkle roots".
     */
    static final List<String> JVM_OPTIONS = List.of("-XX:+UseG1GC", "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30", "-XX:G1PeriodicGCInterval=10000", "-XX:MaxGCPauseMillis=10",
            "-XX:G1ConcRefinementThreads=0");

    private Launcher() {
    }

    static List<String> javaCommand() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return List.of(java);
    }

    /** {@code -jar dkv.jar} when running from the jar; the class path and main class otherwise (tests). */
    static List<String> dkvMain() {
        try {
            Path location = Path.of(Dkv.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (location.toString().endsWith(".jar")) {
                return List.of("-jar", location.toString());
            }
        } catch (URISyntaxException | SecurityException e) {
            // Fall through to the class path.
        }
        return List.of("-cp", System.getProperty("java.class.path"), Dkv.class.getName());
    }

}
