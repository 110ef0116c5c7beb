package io.dkv.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeIdTest {

    @Test
    void parsesAndPrintsTheSameName() {
        assertThat(NodeId.parse("n7")).isEqualTo(NodeId.of(7));
        assertThat(NodeId.parse("12").toString()).isEqualTo("n12");
    }

    @Test
    void rejectsNamesThatAreNotNodeIds() {
        assertThatThrownBy(() -> NodeId.parse("node-a")).hasMessageContaining("not a node id");
        assertThatThrownBy(() -> NodeId.of(0)).hasMessageContaining("at least 1");
    }

    @Test
    void consistencyLevelsNeedTheRightNumberOfAnswers() {
        assertThat(Consistency.ONE.required(3)).isEqualTo(1);
        assertThat(Consistency.QUORUM.required(3)).isEqualTo(2);
        assertThat(Consistency.QUORUM.required(4)).isEqualTo(3);
        assertThat(Consistency.QUORUM.required(5)).isEqualTo(3);
        assertThat(Consistency.ALL.required(5)).isEqualTo(5);
        assertThat(Consistency.parse("quorum")).isEqualTo(Consistency.QUORUM);
        assertThatThrownBy(() -> Consistency.parse("most")).hasMessageContaining("ONE, QUORUM or ALL");
    }
}
