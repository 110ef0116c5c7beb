package io.dkv.server.resp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HumanBytesTest {

    @Test
    void printsBytesTheWayRedisInfoDoes() {
        assertThat(ServerCommands.humanBytes(0)).isEqualTo("0B");
        assertThat(ServerCommands.humanBytes(1023)).isEqualTo("1023B");
        assertThat(ServerCommands.humanBytes(1024)).isEqualTo("1.00K");
        assertThat(ServerCommands.humanBytes(1_065_981)).isEqualTo("1.02M");
        assertThat(ServerCommands.humanBytes(3L << 30)).isEqualTo("3.00G");
    }
}
