package io.dkv.cli;

import io.dkv.cli.client.RespClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code dkv backup DIR}: asks one node ({@code -h}, {@code -p}) for a consistent backup of its
 * data into DIR on the node's machine ({@code DKV.BACKUP}); prints where and when, exits 0, or
 * prints the node's refusal and exits 2.
 */
@Command(name = "backup", description = {
        "Asks one node for a consistent backup of its data (a RocksDB checkpoint, taken while it serves)",
        "into DIR, an absolute path on the node's machine that must not exist or be empty.",
        "To restore: stop the node, replace its data-dir with a copy of DIR, start it; it recovers",
        "(does not vote) until it has compared its data with the other replicas."})
final class BackupCommand implements Callable<Integer> {

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Parameters(index = "0", paramLabel = "DIR", description = "Where the node writes the backup (absolute, on its machine).")
    String dir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Path path;
        try {
            path = Path.of(dir);
        } catch (InvalidPathException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "DIR is not a path: " + e.getMessage());
        }
        if (!path.isAbsolute()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "DIR must be an absolute path (it is a"
                    + " directory on the node's machine, " + connection.host() + "), not '" + dir + "'");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (RespClient client = connection.connect()) {
            Object reply = client.call("DKV.BACKUP", path.toString());
            if (reply instanceof RespClient.ErrorReply error) {
                err.println("error: " + error.message());
                return ClientCall.FAILED;
            }
            List<?> fields = (List<?>) reply;
            out.println("backed up " + connection.host() + ":" + connection.port() + " to " + text(fields.get(0))
                    + " (checkpoint at " + text(fields.get(1)) + ", took " + text(fields.get(2)) + " ms)");
            return ClientCall.OK;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return ClientCall.FAILED;
        }
    }

    private static String text(Object value) {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
    }
}
