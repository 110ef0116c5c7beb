package io.dkv.core;

import io.dkv.core.hash.Field;
import io.dkv.core.hash.HashFields;
import io.dkv.core.hash.KeyType;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What an entry holds for a client once hashes exist: the newest write decides (docs/ARCHITECTURE.md, "Hashes"). */
class EntryTypeTest {

    private static final long MILLIS = 1_700_000_000_000L;
    private static final Version SET = new Version(MILLIS << 16, 1);
    private static final Version HSET = new Version((MILLIS + 10) << 16, 2);
    private static final Version HDEL = new Version((MILLIS + 20) << 16, 3);
    private static final Version LATER_SET = new Version((MILLIS + 30) << 16, 1);

    private static Entry field(String name, String value, Version version) {
        return Entry.fieldsOnly(HashFields.of(name.getBytes(), new Field(value == null ? null : value.getBytes(), version)));
    }

    @Test
    void anHsetAfterASetMakesAHashThatHidesTheString() {
        Entry hash = Entry.merge(Entry.value("s".getBytes(), SET), field("a", "1", HSET));
        assertThat(hash.type()).isEqualTo(KeyType.HASH);
        assertThat(hash.isTombstone()).isFalse();
        assertThat(hash.liveAt(MILLIS + 100)).isTrue();
        assertThat(hash.stringAt(MILLIS + 100)).as("the string under the hash is not a value").isNull();
        assertThat(hash.writeVersion()).isEqualTo(HSET);
        assertThat(hash.deadSinceMillis()).isEqualTo(Long.MAX_VALUE);
        assertThat(hash.versions().hasFields()).isTrue();
    }

    @Test
    void aHashWhoseFieldsAreAllDeletedIsDeadSinceTheDeleteAndDoesNotShowTheOldString() {
        Entry emptied = Entry.merge(Entry.merge(Entry.value("s".getBytes(), SET), field("a", "1", HSET)),
                field("a", null, HDEL));
        assertThat(emptied.type()).isEqualTo(KeyType.NONE);
        assertThat(emptied.isTombstone()).isTrue();
        assertThat(emptied.liveAt(MILLIS + 100)).isFalse();
        assertThat(emptied.deadSinceMillis()).isEqualTo(MILLIS + 20);
    }

    @Test
    void aLaterSetHidesEveryField() {
        Entry string = Entry.merge(field("a", "1", HSET), Entry.value("t".getBytes(), LATER_SET));
        assertThat(string.type()).isEqualTo(KeyType.STRING);
        assertThat(string.fields().isEmpty()).isTrue();
        assertThat(string.stringAt(MILLIS + 100)).isEqualTo("t".getBytes());
    }

    @Test
    void anExpiredHashReadsAsNothing() {
        Entry hash = Entry.merge(field("a", "1", HSET), Entry.expiryOnly(Expiry.at(MILLIS + 50, HDEL)));
        assertThat(hash.typeAt(MILLIS + 49)).isEqualTo(KeyType.HASH);
        assertThat(hash.typeAt(MILLIS + 51)).isEqualTo(KeyType.NONE);
        assertThat(hash.liveAt(MILLIS + 51)).isFalse();
    }

    @Test
    void fieldsDigestTellsEqualFieldsFromDifferentOnes() {
        Entry a = field("a", "1", HSET);
        Entry ab = Entry.merge(a, field("b", "2", HDEL));
        assertThat(a.versions()).isEqualTo(field("a", "1", HSET).versions());
        assertThat(ab.versions().covers(a.versions())).as("a superset is not told apart from a different set").isFalse();
        assertThat(ab.versions().covers(ab.versions())).isTrue();
        assertThat(Entry.merge(Entry.tombstone(SET), ab).versions().covers(Entry.tombstone(SET).versions()))
                .as("no fields on the other side: the registers decide").isTrue();
        assertThat(field("a", null, HSET).versions()).as("a tombstone field differs from a value")
                .isNotEqualTo(a.versions());
    }
}
