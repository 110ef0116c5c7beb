package io.dkv.cli;

import io.dkv.cli.bench.BenchCommand;
import io.dkv.cli.check.CheckCommand;
import io.dkv.cli.cluster.ClusterCommand;
import io.dkv.core.DkvException;
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
        System.exit(commandLine().execute(args));
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
