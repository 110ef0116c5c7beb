package io.dkv.server.storage;

import io.dkv.core.Entry;
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

    @Test
    void anUnknownFormatIsRefusedNotMisread() {
        byte[] encoded = EntryCodec.encode(Entry.value(new byte[]{1}, new Version(5, 1)));
        encoded[0] = 9;
        assertThatThrownBy(() -> EntryCodec.decode(encoded)).isInstanceOf(StorageException.class)
                .hasMessageContaining("format 9");
        assertThatThrownBy(() -> EntryCodec.decode(new byte[3])).isInstanceOf(StorageException.class);
    }
}
