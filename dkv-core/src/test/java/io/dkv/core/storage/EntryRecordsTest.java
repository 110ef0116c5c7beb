package io.dkv.core.storage;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.hash.Field;
import io.dkv.core.hash.HashFields;
import io.dkv.core.version.Version;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EntryRecordsTest {

    private static final Version V = new Version(0x1234_5678_9abcL, 3);
    private static final Version OTHER = new Version(Long.MAX_VALUE, Integer.MAX_VALUE);

    static List<Entry> entries() {
        byte[] mebibyte = new byte[1 << 20];
        mebibyte[0] = 1;
        mebibyte[mebibyte.length - 1] = -1;
        return List.of(
                Entry.value(bytes("v"), V),                                   // plain SET: no expiry at the value's version
                Entry.value(new byte[0], V),                                  // empty value, not a tombstone
                Entry.value(mebibyte, V),
                Entry.tombstone(V),
                Entry.tombstone(Version.ZERO),
                Entry.expiring(bytes("v"), V, 1_700_000_000_000L),            // SET EX: expiry at the value's version
                Entry.keepingExpiry(bytes("v"), V),                           // SET KEEPTTL: expiry register absent
                Entry.expiryOnly(Expiry.at(Long.MAX_VALUE, OTHER)),           // EXPIRE before any value
                Entry.expiryOnly(Expiry.never(OTHER)),                        // PERSIST before any value
                new Entry(bytes("v"), V, Expiry.at(5, new Version(7, 200_000))),
                new Entry(bytes("v"), OTHER, Expiry.never(V)),
                new Entry(null, V, Expiry.at(9, V)),                          // a tombstone with an expiry
                new Entry(bytes("v"), V, Expiry.never(V),
                        HashFields.of(bytes("f"), new Field(bytes("x"), OTHER))),  // hash fields: kept boxed
                new Entry(null, Version.ZERO, Expiry.ABSENT,
                        HashFields.of(bytes("f"), Field.tombstone(V))));
    }

    @ParameterizedTest
    @MethodSource("entries")
    void everyEntryRoundTripsWithItsKey(Entry entry) {
        for (byte[] key : List.of(new byte[0], bytes("key:000000000001"), new byte[200], new byte[1 << 20])) {
            Object record = EntryRecords.encode(key, entry);

            assertThat(EntryRecords.decode(record)).isEqualTo(entry);
            assertThat(EntryRecords.key(record)).isEqualTo(key);
            assertThat(EntryRecords.hasKey(record, key)).isTrue();
            assertThat(EntryRecords.hasKey(record, bytes("other"))).isFalse();
        }
    }

    @Test
    void aKeyIsNotMistakenForItsPrefixOrExtension() {
        Object record = EntryRecords.encode(bytes("abc"), Entry.value(bytes("abcd"), V));

        assertThat(EntryRecords.hasKey(record, bytes("ab"))).isFalse();
        assertThat(EntryRecords.hasKey(record, bytes("abcd"))).isFalse();
        assertThat(EntryRecords.hasKey(record, bytes("abc"))).isTrue();
    }

    @Test
    void theCommonEntryIsOneArrayWithNothingBesideKeyAndValueButTenBytes() {
        Object record = EntryRecords.encode(bytes("key:000000000001"), Entry.value(new byte[100], new Version(1L << 40, 1)));

        // flags, key length, 8 bytes of stamp, node: 11 bytes beside the key's 16 and the value's 100.
        assertThat(record).isInstanceOf(byte[].class);
        assertThat((byte[]) record).hasSize(11 + 16 + 100);
    }

    @Test
    void anExpiryWrittenWithTheValueTakesEightBytesAndOneOfItsOwnVersionMore() {
        byte[] key = bytes("k");
        int plain = ((byte[]) EntryRecords.encode(key, Entry.value(bytes("v"), V))).length;

        assertThat((byte[]) EntryRecords.encode(key, Entry.expiring(bytes("v"), V, 99))).hasSize(plain + 8);
        assertThat((byte[]) EntryRecords.encode(key, new Entry(bytes("v"), V, Expiry.at(99, new Version(1, 1)))))
                .hasSize(plain + 17);
    }

    @Test
    void decodingCopiesTheValueSoAReaderCannotChangeTheStoredOne() {
        Object record = EntryRecords.encode(bytes("k"), Entry.value(bytes("abc"), V));

        EntryRecords.decode(record).value()[0] = 'x';

        assertThat(EntryRecords.decode(record).value()).isEqualTo(bytes("abc"));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
