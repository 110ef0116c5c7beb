package io.dkv.cli;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * Runs dkv commands in the test's JVM and keeps what each printed: picocli's own output
 * and error writers, and what the command wrote to {@code System.out} and {@code System.err}
 * (restored after every run).
 */
final class InProcessDkv {

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Runs one command; returns its exit code. What the previous run printed is forgotten. */
    int run(String... args) {
        stdout.reset();
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        CommandLine commandLine = Dkv.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        try {
            return commandLine.execute(args);
        } finally {
            System.out.flush();
            System.err.flush();
            err.write(stderr.toString(StandardCharsets.UTF_8));
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    /** What the last command wrote to System.out, trimmed. */
    String stdout() {
        return stdout.toString(StandardCharsets.UTF_8).strip();
    }

    /** What the last command wrote through picocli's output writer. */
    String out() {
        return out.toString();
    }

    /** Its errors: picocli's error writer and System.err. */
    String err() {
        return err.toString();
    }
}
