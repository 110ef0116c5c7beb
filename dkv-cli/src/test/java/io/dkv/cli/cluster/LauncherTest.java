package io.dkv.cli.cluster;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The JVM options of {@code dkv cluster up}'s nodes and of the {@code ./dkv} script are the same. */
class LauncherTest {

    @Test
    void theDkvScriptStartsTheJvmWithTheNodesOptions() throws IOException {
        String script = Files.readString(repositoryRoot().resolve("dkv"), StandardCharsets.UTF_8);
        Matcher options = Pattern.compile("(?m)^jvm_opts=\"([^\"]*)\"$").matcher(script);

        assertThat(options.find()).as("a jvm_opts=\"...\" line in ./dkv").isTrue();
        assertThat(List.of(options.group(1).split(" "))).isEqualTo(Launcher.JVM_OPTIONS);
        assertThat(script).contains("exec \"$java_bin\" $jvm_opts ${DKV_JAVA_OPTS:-} -jar");
    }

    private static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
            if (Files.isRegularFile(candidate.resolve("dkv")) && Files.isRegularFile(candidate.resolve("pom.xml"))) {
                return candidate;
            }
        }
        throw new AssertionError("no ./dkv script above " + dir);
    }
}
