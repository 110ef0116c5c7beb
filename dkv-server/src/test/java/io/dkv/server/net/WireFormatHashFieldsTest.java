package io.dkv.server.net;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.hash.Field;
import io.dkv.core.hash.HashFields;
import io.dkv.core.version.Version;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Entries with hash fields cross the wire whole; entries without are written exactly as before hashes. */
class WireFormatHashFieldsTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final HashFields FIELDS = HashFields.builder()
            .put(b("name"), new Field(b("ada"), new Version(7, 1)))
            .put(b("gone"), Field.tombstone(new Version(8, 2)))
            .put(b(""), new Field(new byte[0], new Version(9, 3)))
            .build();

    @Test
    void entriesWithFieldsRoundTripAndTheirSizeIsExact() {
        for (Entry entry : new Entry[]{
                new Entry(null, Version.ZERO, Expiry.ABSENT, FIELDS),
                new Entry(b("old string"), new Version(5, 1), Expiry.at(1_700_000_000_000L, new Version(6, 1)), FIELDS),
                Entry.value(b("plain"), new Version(5, 1)),
                Entry.tombstone(new Version(5, 1))}) {
            ByteBuf out = Unpooled.buffer();
            try {
                WireFormat.writeEntry(out, entry);
                assertThat(out.readableBytes()).isEqualTo(WireFormat.entrySize(entry));
                assertThat(WireFormat.readEntry(out)).isEqualTo(entry);
                assertThat(out.readableBytes()).isZero();
            } finally {
                out.release();
            }
        }
    }

    /** Version lists (anti-entropy, tombstone checks) carry the fields' summary, so a replica can tell fields differ. */
    @Test
    void entryVersionsCarryTheFieldsSummary() {
        for (Entry entry : new Entry[]{new Entry(b("s"), new Version(5, 1), Expiry.ABSENT, FIELDS),
                Entry.value(b("plain"), new Version(5, 1))}) {
            ByteBuf out = Unpooled.buffer();
            try {
                WireFormat.writeEntryVersion(out, entry.versions());
                assertThat(WireFormat.readEntryVersion(out)).isEqualTo(entry.versions());
                assertThat(out.readableBytes()).isZero();
            } finally {
                out.release();
            }
        }
        assertThat(new Entry(null, Version.ZERO, Expiry.ABSENT, FIELDS).versions().fields()).isEqualTo(new Version(9, 3));
    }

    /** A string entry's bytes are unchanged by the hash format: flag 1, as nodes without hashes read them. */
    @Test
    void aStringEntryKeepsTheOldLayout() {
        ByteBuf out = Unpooled.buffer();
        try {
            WireFormat.writeEntry(out, Entry.value(b("v"), new Version(5, 1)));
            assertThat(out.getByte(12)).isEqualTo((byte) 1);
            assertThat(out.readableBytes()).isEqualTo(13 + 4 + 1 + WireFormat.EXPIRY_BYTES);
        } finally {
            out.release();
        }
    }

    @Test
    void aFieldCountTheFrameCannotHoldIsCorrupt() {
        ByteBuf out = Unpooled.buffer();
        try {
            out.writeLong(5).writeInt(1).writeByte(WireFormat.HAS_FIELDS).writeInt(1_000_000);
            assertThatThrownBy(() -> WireFormat.readEntry(out)).isInstanceOf(CorruptedFrameException.class)
                    .hasMessageContaining("hash field count");
        } finally {
            out.release();
        }
    }
}
