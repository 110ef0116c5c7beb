package io.dkv.core;

import io.dkv.core.version.HybridLogicalClock;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a FLUSHALL mark hides: the entries whose value register was written at or before it. */
class TruncationMarkTest {

    private static final long FLUSH = HybridLogicalClock.stampOf(1_700_000_000_000L);
    private static final Version BEFORE = new Version(FLUSH - 1, 1);
    private static final Version AFTER = new Version(FLUSH + 1, 1);

    @Test
    void aClusterNeverFlushedHidesNothingNotEvenAnExpiryWhoseValueHasNotArrived() {
        assertThat(TruncationMark.NONE.hides(Entry.value(new byte[] {1}, BEFORE))).isFalse();
        assertThat(TruncationMark.NONE.hides(Entry.expiryOnly(Expiry.at(5, BEFORE)))).isFalse();
        assertThat(TruncationMark.NONE.hides(Version.ZERO)).isFalse();
    }

    @Test
    void theValueRegisterDecides() {
        TruncationMark mark = TruncationMark.of(FLUSH);
        assertThat(mark.hides(Entry.value(new byte[] {1}, new Version(FLUSH, 2)))).as("stamped at the flush").isTrue();
        assertThat(mark.hides(Entry.tombstone(BEFORE))).isTrue();
        assertThat(mark.hides(Entry.value(new byte[] {1}, AFTER))).isFalse();
        assertThat(mark.hides(new Entry(new byte[] {1}, BEFORE, Expiry.at(5, AFTER))))
                .as("a value from before the flush stays hidden whatever expiry reached it since").isTrue();
        assertThat(mark.hides(Entry.expiryOnly(Expiry.at(5, AFTER))))
                .as("an EXPIRE after the flush whose value has not arrived yet: kept for that value").isFalse();
    }
}
