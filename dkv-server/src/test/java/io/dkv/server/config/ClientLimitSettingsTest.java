package io.dkv.server.config;

import io.dkv.core.InvalidConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client limits as settings: defaults that always start, explicit values checked. */
class ClientLimitSettingsTest {

    private static SettingsBuilder node() {
        return new SettingsBuilder().set("node", "n1").set("nodes", "1").set("replicas", "1");
    }

    /** A share of a small heap (a 64 MiB JVM, many nodes in one process) must not stop a node from starting. */
    @Test
    void aPercentageNeverGoesBelowOneReplyOfTheLargestValue() {
        NodeSettings settings = node().set("maxmemory-clients", "0.0001%").build();

        assertThat(settings.clients().maxMemoryClients()).isEqualTo(settings.cluster().maxValueBytes() + 64L);
    }

    @Test
    void zeroPercentTurnsTheNodeWideLimitOff() {
        assertThat(node().set("maxmemory-clients", "0%").build().clients().maxMemoryClients()).isZero();
    }

    @Test
    void anExplicitByteLimitBelowOneReplyIsRefusedWithTheSettingNamed() {
        assertThatThrownBy(() -> node().set("maxmemory-clients", "1mb").build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("maxmemory-clients (1048576) must be 0 (off) or at least max-value-bytes");
    }
}
