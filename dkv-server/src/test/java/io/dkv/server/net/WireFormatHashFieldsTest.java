package io.dkv.server.net;

import io.dkv.core.Entry;
import io.dkv.core.Expiry;
import io.dkv.core.hash.Field;
import io.dkv.core.hash.HashFields;
import io.dkv.core.version.Version;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hash fields have no internode format yet: an entry holding some is refused, never sent without them. */
class WireFormatHashFieldsTest {

    @Test
    void anEntryWithHashFieldsIsRefusedAndNothingIsWritten() {
        Entry hash = new Entry(null, Version.ZERO, Expiry.ABSENT,
                HashFields.of(new byte[]{'f'}, new Field(new byte[]{1}, new Version(5, 1))));
        ByteBuf out = Unpooled.buffer();
        try {
            assertThatThrownBy(() -> WireFormat.writeEntry(out, hash)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no internode format yet");
            assertThat(out.readableBytes()).isZero();
            WireFormat.writeEntry(out, Entry.value(new byte[]{1}, new Version(5, 1)));
            assertThat(WireFormat.readEntry(out)).isEqualTo(Entry.value(new byte[]{1}, new Version(5, 1)));
        } finally {
            out.release();
        }
    }
}
