package io.dkv.server.net;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every internode message type has a number of its own across both codecs. Two branches once
 * each took the next free number of {@link MessageCodec} while {@link RingMessageCodec} already
 * used it: the decoder took the key-count reply for a ring message, closed the connection,
 * and no node could join.
 */
class MessageTypeNumbersTest {

    @Test
    void noTwoMessageTypesShareANumber() throws IllegalAccessException {
        Map<Byte, String> owners = new HashMap<>();
        for (Class<?> codec : new Class<?>[]{MessageCodec.class, RingMessageCodec.class}) {
            for (Field field : codec.getDeclaredFields()) {
                if (field.getType() != byte.class || !Modifier.isStatic(field.getModifiers())
                        || !Modifier.isFinal(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                String name = codec.getSimpleName() + "." + field.getName();
                String previous = owners.put(field.getByte(null), name);
                assertThat(previous).as("type number %d of %s", field.getByte(null), name).isNull();
            }
        }
        assertThat(owners).hasSizeGreaterThan(30);
    }
}
