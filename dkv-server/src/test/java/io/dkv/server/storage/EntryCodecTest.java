package io.dkv.server.storage;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.version.Version;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EntryCodecTest {

    @Test
    void valuesAndTombstonesRoundTripWithTheirVersion() {
        Entry value = Entry.value("hello".getBytes(StandardCharsets.UTF_8), new Version(Long.MAX_VALUE, 65_535));
        Entry empty = Entry.value(new byte[0], new Version(0, 0));
        Entry tombstone = Entry.tombstone(new Version(123_456_789, 7));

        assertThat(EntryCodec.decode(EntryCodec.encode(value))).isEqualTo(value);
        assertThat(EntryCodec.decode(EntryCodec.encode(empty))).isEqualTo(empty);
        assertThat(EntryCodec.decode(EntryCodec.encode(tombstone))).isEqualTo(tombstone);
        assertThat(EntryCodec.encode(tombstone)).hasSize(EntryCodec.HEADER_BYTES);
    }

    /** Format 3 keeps hash fields, tombstones and both registers; a truncated one is reported corrupt, not misread. */
    @Test
    void entriesWithHashFieldsRoundTripInFormat3() {
        io.dkv.core.hash.HashFields fields = io.dkv.core.hash.HashFields.builder()
                .put("name".getBytes(StandardCharsets.UTF_8), new io.dkv.core.hash.Field("ada".getBytes(StandardCharsets.UTF_8), new Version(7, 1)))
                .put("gone".getBytes(StandardCharsets.UTF_8), io.dkv.core.hash.Field.tombstone(new Version(8, 2)))
                .build();
        Entry hash = new Entry(null, Version.ZERO, Expiry.ABSENT, fields);
        Entry overString = new Entry("s".getBytes(StandardCharsets.UTF_8), new Version(5, 1),
                Expiry.at(1_700_000_000_000L, new Version(6, 1)), fields);
        for (Entry entry : new Entry[]{hash, overString}) {
            byte[] bytes = EntryCodec.encode(entry);
            assertThat(bytes[0]).isEqualTo(EntryCodec.FORMAT_WITH_FIELDS);
            assertThat(EntryCodec.decode(bytes)).isEqualTo(entry);
            assertThatThrownBy(() -> EntryCodec.decode(java.util.Arrays.copyOf(bytes, bytes.length - 1)))
                    .isInstanceOf(StorageException.class).hasMessageContaining("corrupt");
        }
        assertThat(EntryCodec.encode(Entry.value(new byte[]{1}, new Version(5, 1)))[0]).isEqualTo(EntryCodec.FORMAT);
    }

    @Test
    void anExpirySlotIsSkippedByReaders() {
        byte[] plain = EntryCodec.encode(Entry.value(new byte[]{1, 2, 3}, new Version(5, 1)));
        byte[] withExpiry = new byte[plain.length + Long.BYTES];
        System.arraycopy(plain, 0, withExpiry, 0, EntryCodec.HEADER_BYTES);
        withExpiry[1] |= EntryCodec.HAS_EXPIRY;
        KeyLayout.putLong(withExpiry, EntryCodec.HEADER_BYTES, 1_700_000_000_000L);
        System.arraycopy(plain, EntryCodec.HEADER_BYTES, withExpiry, EntryCodec.HEADER_BYTES + Long.BYTES, 3);

        assertThat(EntryCodec.decode(withExpiry).value()).containsExactly(1, 2, 3);
    }

    /** Bytes exactly as format 1 was written before expiry existed: they read as entries without expiry. */
    @Test
    void formatOneEntriesWrittenBeforeExpiryStillRead() {
        byte[] formatOne = {1, 0, 0, 0, 0, 0, 0, 0, 0x30, 0x39, 0, 0, 0, 3, 'h', 'i'};
        byte[] formatOneTombstone = {1, 1, 0, 0, 0, 0, 0, 0, 0x30, 0x39, 0, 0, 0, 3};

        Entry value = EntryCodec.decode(formatOne);
        assertThat(value).isEqualTo(Entry.value("hi".getBytes(StandardCharsets.UTF_8), new Version(12_345, 3)));
        assertThat(value.expiry()).isEqualTo(Expiry.never(new Version(12_345, 3)));
        assertThat(EntryCodec.decode(formatOneTombstone)).isEqualTo(Entry.tombstone(new Version(12_345, 3)));
        // An entry without expiry is still written in format 1, byte for byte as before.
        assertThat(EntryCodec.encode(value)).containsExactly(formatOne);
    }

    @Test
    void entriesWithAnExpiryRegisterRoundTripInFormatTwo() {
        Version version = new Version(1_700_000_000_000L << 16, 2);
        Entry expiring = Entry.expiring("v".getBytes(StandardCharsets.UTF_8), version, 1_700_000_060_000L);
        Entry keeping = Entry.keepingExpiry(new byte[0], version);
        Entry expiryOnly = Entry.expiryOnly(Expiry.at(Long.MAX_VALUE, new Version(Long.MAX_VALUE, 65_535)));
        Entry persisted = new Entry("w".getBytes(StandardCharsets.UTF_8), version, Expiry.never(new Version(9, 9)));
        Entry expiredTombstone = new Entry(null, version, Expiry.at(5, new Version(8, 1)));

        for (Entry entry : new Entry[]{expiring, keeping, expiryOnly, persisted, expiredTombstone}) {
            byte[] encoded = EntryCodec.encode(entry);
            assertThat(encoded[0]).as("%s", entry).isEqualTo(EntryCodec.FORMAT_WITH_EXPIRY);
            assertThat(EntryCodec.decode(encoded)).as("%s", entry).isEqualTo(entry);
        }
        assertThat(EntryCodec.encode(expiring)).hasSize(EntryCodec.HEADER_WITH_EXPIRY_BYTES + 1);
        byte[] shifted = new byte[5 + EntryCodec.HEADER_WITH_EXPIRY_BYTES + 1];
        System.arraycopy(EntryCodec.encode(expiring), 0, shifted, 5, shifted.length - 5);
        assertThat(EntryCodec.decode(shifted, 5)).isEqualTo(expiring);
        assertThatThrownBy(() -> EntryCodec.decode(java.util.Arrays.copyOf(EntryCodec.encode(expiring), 20)))
                .isInstanceOf(StorageException.class);
    }

    @Test
    void anUnknownFormatIsRefusedNotMisread() {
        byte[] encoded = EntryCodec.encode(Entry.value(new byte[]{1}, new Version(5, 1)));
        encoded[0] = 9;
        assertThatThrownBy(() -> EntryCodec.decode(encoded)).isInstanceOf(StorageException.class)
                .hasMessageContaining("format 9");
        assertThatThrownBy(() -> EntryCodec.decode(new byte[3])).isInstanceOf(StorageException.class);
    }
}
