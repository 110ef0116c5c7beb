package io.dkv.cli;

import io.dkv.cli.client.ReplyFormat;
import io.dkv.cli.client.RespClient;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dkv shell}: an interactive prompt with history and completion, talking to one node. */
@Command(name = "shell", description = {"Interactive prompt: type Redis or dkv commands (SET, GET, DKV.REPLICAS, ...).",
        "History is kept in ~/.dkv_history; Tab completes command names; quit or Ctrl-D leaves."})
final class ShellCommand implements Callable<Integer> {

    /** Offered for completion before the server's own list is fetched, or if it cannot be. */
    private static final List<String> KNOWN = List.of("GET", "SET", "DEL", "EXISTS", "MGET", "MSET", "PING", "ECHO",
            "INFO", "DBSIZE", "CLIENT", "CONFIG", "COMMAND", "HELLO", "SELECT", "DKV.CONSISTENCY", "DKV.REPLICAS", "AUTH", "ACL", "QUIT",
            "HSET", "HGET", "HMGET", "HDEL", "HGETALL", "HKEYS", "HVALS", "HLEN", "HEXISTS", "HSCAN", "TYPE");

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    private RespClient client;

    @Override
    public Integer call() throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).build()) {
            List<String> commands = new ArrayList<>(KNOWN);
            commands.addAll(KNOWN.stream().map(String::toLowerCase).toList());
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("dkv")
                    .completer(new StringsCompleter(commands))
                    .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".dkv_history"))
                    .build();
            String prompt = connection.host + ":" + connection.port + "> ";
            while (true) {
                String line;
                try {
                    line = reader.readLine(prompt);
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    break;
                }
                List<String> words = split(line);
                if (words.isEmpty()) {
                    continue;
                }
                String first = words.get(0).toLowerCase();
                if (first.equals("quit") || first.equals("exit")) {
                    break;
                }
                terminal.writer().println(execute(words));
                terminal.writer().flush();
            }
        } finally {
            if (client != null) {
                client.close();
            }
        }
        return 0;
    }

    private String execute(List<String> words) {
        try {
            if (client == null) {
                client = connection.connect();
            }
            return ReplyFormat.format(client.call(words.toArray(String[]::new)));
        } catch (IOException e) {
            closeQuietly();
            return "(error) " + e.getMessage();
        }
    }

    private void closeQuietly() {
        try {
            if (client != null) {
                client.close();
            }
        } catch (IOException ignored) {
            // Reconnects on the next command.
        }
        client = null;
    }

    /** Splits a command line into words, honouring "double" and 'single' quotes and backslash escapes. */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                    char next = line.charAt(++i);
                    word.append(switch (next) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        default -> next;
                    });
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

}
