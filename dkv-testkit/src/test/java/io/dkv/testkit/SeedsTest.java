package io.dkv.testkit;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SeedsTest {

    @Test
    void theReplayCommandNamesTheModuleAndTheClassAndWorksFromTheRoot() {
        assertThat(Seeds.describe(SeedsTest.class, "SeedsTest.run", 42)).isEqualTo("SeedsTest.run seed=42 (replay: "
                + "mvn -pl dkv-testkit -am test -Dtest=SeedsTest -Dsurefire.failIfNoSpecifiedTests=false -Ddkv.seed=42)");
    }

    @Test
    void withoutAClassTheCallerIsTheClass() {
        assertThat(Seeds.describe("run", 7)).endsWith("-Dtest=SeedsTest -Dsurefire.failIfNoSpecifiedTests=false -Ddkv.seed=7)");
    }

    @Test
    void aNestedClassIsReplayedThroughItsTopLevelClass() {
        assertThat(Seeds.replayCommand(Inner.class, 3)).contains("-pl dkv-testkit ").contains("-Dtest=SeedsTest ");
    }

    @Test
    void aClassFromAJarHasNoModuleToName() {
        assertThat(Seeds.moduleOf(Test.class)).isEqualTo("<module>");
        assertThat(Seeds.moduleOf(String.class)).isEqualTo("<module>");
    }

    /**
     * Each test's own default applies unless {@code -Ddkv.seeds} or {@code -Ddkv.seed} is
     * given to Maven, which passes it on to this JVM (printed, to check a run by eye).
     */
    @Test
    void theDefaultCountAppliesUnlessTheCommandLineSetsOne() {
        String seeds = System.getProperty("dkv.seeds");
        String seed = System.getProperty("dkv.seed");
        System.out.println("SeedsTest: this JVM got dkv.seeds=" + seeds + " dkv.seed=" + seed);
        if (seed != null) {
            assertThat(Seeds.seeds(3)).containsExactly(Long.parseLong(seed));
        } else if (seeds != null) {
            assertThat(Seeds.seeds(3)).hasSize(Integer.parseInt(seeds));
            assertThat(Seeds.seeds(3, true)).containsExactly(1L, 2L, 3L);
        } else {
            assertThat(Seeds.seeds(3)).containsExactly(1L, 2L, 3L);
            assertThat(Seeds.seeds()).hasSize(8);
        }
    }

    @Nested
    class Inner {
    }
}
