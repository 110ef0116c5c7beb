package io.dkv.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the packaged {@code dkv.jar} (its path comes from the {@code dkv.jar} system property
 * that failsafe sets) and other programs as child processes, for the integration tests.
 * Output goes to files under {@code target/it-work/}, which stay there for diagnosis.
 */
final class ChildProcesses {

    /** JVM options for short-lived client commands: start fast, stay small. */
    private static final List<String> CLIENT_JVM = List.of("-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    private static final Duration COMMAND_LIMIT = Duration.ofMinutes(3);
    private static final AtomicInteger runs = new AtomicInteger();

    private ChildProcesses() {
    }

    /** What a finished command did. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {

        /** For assertion messages: the command, its exit code and both outputs. */
        String describe() {
            return String.join(" ", command) + "\n  exit code " + exitCode + "\n  stdout: " + stdout + "\n  stderr: " + stderr;
        }
    }

    static Path dkvJar() {
        String jar = System.getProperty("dkv.jar");
        assertThat(jar).as("system property dkv.jar (set by failsafe in dkv-cli/pom.xml)").isNotBlank();
        Path path = Path.of(jar);
        assertThat(path).as("the shaded jar built by mvn package").isRegularFile();
        return path;
    }

    /** A fresh folder under target/it-work for one test's files. */
    static Path workDir(String name) {
        Path dir = dkvJar().getParent().resolve("it-work").resolve(name + "-" + System.currentTimeMillis());
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java <jvmOptions> -jar dkv.jar <args>}. */
    static List<String> dkvCommand(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(dkvJar().toString());
        command.addAll(List.of(args));
        return command;
    }

    /** Runs one dkv command (put, get, cluster kill, ...) to completion. */
    static Result dkv(Path workDir, String... args) {
        return run(workDir, dkvClientCommand(args));
    }

    /** The command line {@link #dkv} runs, for handing to another program that runs it itself. */
    static List<String> dkvClientCommand(String... args) {
        return dkvCommand(CLIENT_JVM, args);
    }

    /** Runs a command to completion, failing the test if it takes longer than a few minutes. */
    static Result run(Path workDir, List<String> command) {
        int run = runs.incrementAndGet();
        Path stdout = workDir.resolve("run-" + run + ".out");
        Path stderr = workDir.resolve("run-" + run + ".err");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            if (!process.waitFor(COMMAND_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                stop(process);
                throw new AssertionError(String.join(" ", command) + " did not finish within " + COMMAND_LIMIT);
            }
            return new Result(command, process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** Starts a long-running process (e.g. dkv local) with its output going to {@code log}. */
    static Process start(List<String> command, Path log) {
        try {
            return new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
    }

    /** Asks a process to stop (SIGTERM), then kills it if it has not gone within 20 seconds. */
    static void stop(Process process) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines of a log, for failure messages. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}
