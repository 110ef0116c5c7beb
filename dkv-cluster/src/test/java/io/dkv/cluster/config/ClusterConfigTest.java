package io.dkv.cluster.config;

import io.dkv.core.InvalidConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterConfigTest {

    @Test
    void defaultsAreAValidThreeNodeCluster() {
        ClusterConfig config = ClusterConfig.builder().build();
        assertThat(config.nodes()).isEqualTo(3);
        assertThat(config.replicas()).isEqualTo(3);
        assertThat(config.maxKeyBytes()).isEqualTo(1 << 20);
        assertThat(config.maxValueBytes()).isEqualTo(16 << 20);
        assertThat(config.toBuilder().build()).isEqualTo(config);
    }

    @Test
    void messagesNameTheSettingsInConflict() {
        assertThatThrownBy(() -> ClusterConfig.builder().nodes(3).replicas(5).build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("replicas (5) must not exceed nodes (3)");
        assertThatThrownBy(() -> ClusterConfig.builder().nodes(0).build())
                .hasMessage("nodes (0) must be at least 1");
        assertThatThrownBy(() -> ClusterConfig.builder().replicaTimeoutMillis(0).build())
                .hasMessage("replica-timeout-ms (0) must be positive");
        assertThatThrownBy(() -> ClusterConfig.builder().readRepairChance(1.5).build())
                .hasMessage("read-repair-chance (1.5) must be between 0 and 1");
        assertThatThrownBy(() -> ClusterConfig.builder().maxKeyBytes(0).build())
                .hasMessage("max-key-bytes (0) must be at least 1");
    }
}
