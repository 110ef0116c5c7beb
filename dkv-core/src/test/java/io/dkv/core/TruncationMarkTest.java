package io.dkv.core;

import io.dkv.core.hash.Field;
import io.dkv.core.hash.HashFields;
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

    @Test
    void aHashIsHiddenByItsNewestFieldAndLosesTheFieldsFromBeforeTheFlush() {
        TruncationMark mark = TruncationMark.of(FLUSH);
        Entry old = Entry.fieldsOnly(HashFields.of(new byte[] {'a'}, new Field(new byte[] {1}, BEFORE)));
        Entry both = Entry.merge(old, Entry.fieldsOnly(HashFields.of(new byte[] {'b'}, new Field(new byte[] {2}, AFTER))));

        assertThat(mark.hides(old)).as("every field from before the flush").isTrue();
        assertThat(mark.strip(old)).isNull();
        assertThat(mark.hides(both)).as("a field written after the flush keeps the key").isFalse();
        Entry stripped = mark.strip(both);
        assertThat(stripped.fields().live()).hasSize(1);
        assertThat(stripped.fields().get(new byte[] {'b'})).isNotNull();
        assertThat(stripped.fields().get(new byte[] {'a'})).as("the field from before the flush").isNull();
        assertThat(mark.strip(stripped)).as("stripping twice changes nothing").isEqualTo(stripped);
        assertThat(mark.hides(stripped)).isFalse();
        assertThat(TruncationMark.NONE.strip(both)).isSameAs(both);
    }
}
