package io.dkv.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dkv} command: one launcher, one subcommand per job. */
@Command(name = "dkv",
        mixinStandardHelpOptions = true,
        versionProvider = DkvVersion.class,
        description = "dkv, a Dynamo-style replicated key-value store.",
        subcommands = {
                RingCommand.class,
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
        return new CommandLine(new Dkv()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
