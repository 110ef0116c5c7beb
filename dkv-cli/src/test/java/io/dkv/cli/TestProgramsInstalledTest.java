package io.dkv.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every external program a test starts is one that {@code ./test} (the README's test
 * command, which CI runs) installs or checks for, so that a fresh machine runs the suite.
 *
 * <p>The test sources of every module are scanned for programs they start: the first word
 * of a command built with {@code new ProcessBuilder(...)}, {@code List.of(...)} handed to
 * {@code ChildProcesses}, {@code spawn}/{@code execFile} in the browser test, a
 * {@code /usr/bin/...} path, and any string literal naming one of the well-known programs in
 * {@link #KNOWN_PROGRAMS}. Each must appear in {@code ./test}'s {@code package_of} table or
 * its {@code preinstalled} list.
 */
class TestProgramsInstalledTest {

    /** Programs a test might start by a name held in a constant; matched as whole string literals. */
    private static final Set<String> KNOWN_PROGRAMS = Set.of("redis-server", "redis-cli", "redis-benchmark",
            "redis-sentinel", "valkey-server", "chromium", "chromium-browser", "google-chrome", "promtool",
            "prometheus", "npm", "npx", "docker", "python3", "curl");

    private static final List<Pattern> COMMAND_HEADS = List.of(
            Pattern.compile("new ProcessBuilder\\(\\s*(?:List\\.of\\(\\s*)?\"([^\"]+)\""),
            Pattern.compile("ChildProcesses\\.(?:start|run)\\(\\s*(?:[\\w.]+(?:\\(\\))?,\\s*)?List\\.of\\(\\s*\"([^\"]+)\""),
            Pattern.compile("List<String> command = new ArrayList<>\\(List\\.of\\(\\s*\"([^\"]+)\""),
            Pattern.compile("(?:spawn|spawnSync|execFile|execFileSync|exec|execSync)\\(\\s*['\"]([^'\"\\s]+)"),
            Pattern.compile("executablePath:\\s*['\"]([^'\"]+)['\"]"),
            Pattern.compile("[\"'](/usr/(?:local/)?bin/[\\w.+-]+)[\"']"));

    private static final Pattern TABLE_ENTRY = Pattern.compile("\\[([\\w.+-]+)]=([\\w.+-]+)");

    @Test
    void everyProgramTheTestsStartIsInstalledOrCheckedByTheTestScript() throws IOException {
        Path root = repositoryRoot();
        String script = Files.readString(root.resolve("test"), StandardCharsets.UTF_8);
        Map<String, String> installed = packageTable(script);
        Set<String> preinstalled = preinstalled(script);

        Map<String, Set<String>> started = programsStartedByTests(root);

        assertThat(started).as("programs found in the test sources (is the scan still finding them?)")
                .containsKeys("redis-cli", "redis-server", "promtool", "chromium", "node");
        Map<String, Set<String>> unaccounted = new TreeMap<>(started);
        unaccounted.keySet().removeAll(installed.keySet());
        unaccounted.keySet().removeAll(preinstalled);
        assertThat(unaccounted)
                .as("programs the tests start that ./test neither installs (package_of) nor checks for (preinstalled)")
                .isEmpty();
        assertThat(script).as("./test installs the packages of its table")
                .contains("apt-get update")
                .contains("apt-get install -y \"${missing_packages[@]}\"")
                .contains("for program in \"${!package_of[@]}\" \"${preinstalled[@]}\"; do");
    }

    @Test
    void theTestScriptNamesThePackagesThatProvideEachProgram() throws IOException {
        Map<String, String> installed = packageTable(Files.readString(repositoryRoot().resolve("test"), StandardCharsets.UTF_8));

        assertThat(installed).containsEntry("redis-cli", "redis-tools")
                .containsEntry("redis-server", "redis-server")
                .containsEntry("promtool", "prometheus")
                .containsEntry("chromium", "chromium");
    }

    /** The program-to-package entries of {@code declare -A package_of=( ... )}. */
    private static Map<String, String> packageTable(String script) {
        int start = script.indexOf("declare -A package_of=(");
        assertThat(start).as("./test declares its package_of table").isNotNegative();
        String table = script.substring(start, script.indexOf("\n)", start));
        Map<String, String> entries = new TreeMap<>();
        Matcher entry = TABLE_ENTRY.matcher(table);
        while (entry.find()) {
            entries.put(entry.group(1), entry.group(2));
        }
        return entries;
    }

    private static Set<String> preinstalled(String script) {
        Matcher list = Pattern.compile("(?m)^preinstalled=\\(([^)]*)\\)").matcher(script);
        assertThat(list.find()).as("./test has a preinstalled=(...) list").isTrue();
        return new TreeSet<>(List.of(list.group(1).trim().split("\\s+")));
    }

    /** Program name to the test files that start it. */
    private static Map<String, Set<String>> programsStartedByTests(Path root) throws IOException {
        Map<String, Set<String>> started = new TreeMap<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path testSources : modules.map(module -> module.resolve("src/test")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.walk(testSources)) {
                    files.filter(TestProgramsInstalledTest::isSource)
                            .filter(file -> !file.toString().contains("node_modules"))
                            .filter(file -> !file.getFileName().toString().equals("TestProgramsInstalledTest.java"))
                            .forEach(file -> scan(root, file, started));
                }
            }
        }
        return started;
    }

    private static boolean isSource(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".java") || name.endsWith(".mjs") || name.endsWith(".js") || name.endsWith(".sh");
    }

    private static void scan(Path root, Path file, Map<String, Set<String>> started) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String where = root.relativize(file).toString();
        for (Pattern head : COMMAND_HEADS) {
            Matcher matcher = head.matcher(text);
            while (matcher.find()) {
                String program = matcher.group(1);
                program = program.substring(program.lastIndexOf('/') + 1);
                started.computeIfAbsent(program, p -> new TreeSet<>()).add(where);
            }
        }
        for (String program : KNOWN_PROGRAMS) {
            if (text.contains("\"" + program + "\"") || text.contains("'" + program + "'")) {
                started.computeIfAbsent(program, p -> new TreeSet<>()).add(where);
            }
        }
    }

    /** Surefire runs tests in the module's folder; the repository root is the one holding {@code ./test}. */
    private static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
            if (Files.isRegularFile(candidate.resolve("test")) && Files.isRegularFile(candidate.resolve("pom.xml"))) {
                return candidate;
            }
        }
        throw new AssertionError("no ./test script above " + dir);
    }
}
