package io.dkv.server.config;

import io.dkv.cluster.config.ClusterConfig;
import io.dkv.core.InvalidConfigException;
import io.dkv.core.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** config/node.example.yaml loads, documents every setting, and states the real defaults. */
class ExampleConfigTest {

    private static final Path EXAMPLE = Path.of("..", "config", "node.example.yaml");

    @Test
    void theExampleLoadsAndEqualsTheDefaults() {
        NodeSettings fromExample = new SettingsBuilder().load(EXAMPLE).set("memory-limit-bytes", "1000000").build();
        NodeSettings defaults = new SettingsBuilder().set("memory-limit-bytes", "1000000").build();

        assertThat(fromExample).isEqualTo(defaults);
        assertThat(fromExample.cluster()).isEqualTo(ClusterConfig.builder().memoryLimitBytes(1_000_000).build());
    }

    @Test
    void everySettingIsDocumented() throws IOException {
        String example = Files.readString(EXAMPLE);
        String known = null;
        try {
            new SettingsBuilder().set("no-such-setting", "1");
        } catch (InvalidConfigException e) {
            Matcher matcher = Pattern.compile("known: (.*)\\)").matcher(e.getMessage());
            assertThat(matcher.find()).isTrue();
            known = matcher.group(1);
        }
        assertThat(known).as("an unknown setting must be refused").isNotNull();
        for (String name : known.split(", ")) {
            assertThat(example).as("setting %s", name).containsPattern("(?m)^#? *" + Pattern.quote(name) + ":");
        }
    }

    @Test
    void flagsWinOverTheFileAndBadValuesNameTheSetting(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, "node: n2\nnodes: 5\nreplicas: 3\npeers:\n  n1: 10.0.0.1:9000\n");
        NodeSettings settings = new SettingsBuilder().load(file).set("replicas", "2").build();
        assertThat(settings.node()).isEqualTo(NodeId.of(2));
        assertThat(settings.cluster().replicas()).isEqualTo(2);
        assertThat(settings.peers().get(NodeId.of(1)).getPort()).isEqualTo(9000);
        assertThat(settings.respPort()).isEqualTo(7401);

        Files.writeString(file, "replicas: three\n");
        assertThatThrownBy(() -> new SettingsBuilder().load(file)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("replicas: expected a whole number, got 'three'");
        Files.writeString(file, "replica: 3\n");
        assertThatThrownBy(() -> new SettingsBuilder().load(file)).hasMessageContaining("unknown setting 'replica'");
        assertThatThrownBy(() -> new SettingsBuilder().set("nodes", "2").set("replicas", "3").build())
                .hasMessageContaining("replicas (3) must not exceed nodes (2)");
        assertThatThrownBy(() -> new SettingsBuilder().set("node", "n4").build())
                .hasMessageContaining("node (n4) must be one of n1..n3").hasMessageContaining("join");
        NodeSettings joining = new SettingsBuilder().set("node", "n4").set("join", "127.0.0.1:7400").build();
        assertThat(joining.join()).isEqualTo("127.0.0.1:7400");
        assertThat(joining.peers()).as("its own address, for the ring state").containsKey(NodeId.of(4));
        assertThatThrownBy(() -> new SettingsBuilder().set("node", "n4").set("replace", "n2").build())
                .hasMessageContaining("replace (n2) needs join");
    }

    @Test
    void thePartitionCountIsOneNumberForTheWholeCluster(@TempDir Path dir) throws IOException {
        assertThat(new SettingsBuilder().build().cluster().partitions()).isEqualTo(4096);
        assertThat(new SettingsBuilder().set("partitions", "256").build().cluster().partitions()).isEqualTo(256);
        assertThatThrownBy(() -> new SettingsBuilder().set("partitions", "0").build())
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("partitions (0) must be between 1 and");

        Path file = dir.resolve("old.yaml");
        Files.writeString(file, "partitions-per-node: 64\n");
        assertThatThrownBy(() -> new SettingsBuilder().load(file)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("partitions-per-node is no longer a setting: use 'partitions', the number of"
                        + " partitions of the whole cluster, fixed for its life (default 4096)");
    }
}
