package io.dkv.cli;

import io.dkv.cli.bench.BenchCommand;
import io.dkv.cli.check.CheckCommand;
import io.dkv.cli.cluster.ClusterCommand;
import io.dkv.core.DkvException;
import io.netty.util.ResourceLeakDetector;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;

/** The {@code dkv} command: one launcher, one subcommand per job. */
@Command(name = "dkv",
        mixinStandardHelpOptions = true,
        versionProvider = DkvVersion.class,
        description = "dkv, a Dynamo-style replicated key-value store.",
        subcommands = {
                LocalCommand.class,
                ServerCommand.class,
                ClusterCommand.class,
                PutCommand.class,
                GetCommand.class,
                DelCommand.class,
                ReplicasCommand.class,
                DecommissionCommand.class,
                RemoveNodeCommand.class,
                StatusCommand.class,
                BackupCommand.class,
                ShellCommand.class,
                RingCommand.class,
                BenchCommand.class,
                CheckCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Dkv implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        withoutLeakTracking();
        System.exit(commandLine().execute(args));
    }

    /**
     * Netty's leak detector, at its default level, records a stack trace for one buffer in
     * 128: 3.7 % of the event loops' time in a profile of 3-node QUORUM SETs. Tests that run
     * nodes inside the test JVM keep it on; a node started from the command line
     * turns it off unless {@code -Dio.netty.leakDetection.level} asks for a level.
     */
    private static void withoutLeakTracking() {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    /** The configured command line; tests run commands through it. */
    public static CommandLine commandLine() {
        return new CommandLine(new Dkv())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((error, commandLine, parseResult) -> {
                    // Expected failures (bad settings, ports taken) get one clear line, not a stack trace.
                    if (error instanceof DkvException || error instanceof IllegalArgumentException
                            || error instanceof IOException) {
                        commandLine.getErr().println("error: " + error.getMessage());
                        return 2;
                    }
                    throw error;
                });
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
