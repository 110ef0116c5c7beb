package io.dkv.server.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A reply to a client, independent of protocol version; {@link RespEncoder} writes it as
 * RESP2 or RESP3.
 */
public sealed interface RespReply {

    RespReply OK = new Simple("OK");
    RespReply NULL = new Null();
    RespReply EMPTY_ARRAY = new Array(List.of());

    /** {@code +text}: a short status string. */
    record Simple(String text) implements RespReply {
    }

    /** {@code -PREFIX message}: an error; the text starts with its code, e.g. {@code ERR}. */
    record Error(String text) implements RespReply {
    }

    /** {@code :n} */
    record Int(long value) implements RespReply {
    }

    /** {@code $n} bulk bytes. */
    record Bulk(byte[] bytes) implements RespReply {
    }

    /** No value: {@code $-1} in RESP2, {@code _} in RESP3. */
    record Null() implements RespReply {
    }

    record Array(List<RespReply> items) implements RespReply {
    }

    /** A map in RESP3; a flat array of alternating keys and values in RESP2. */
    record MapReply(List<RespReply> keysAndValues) implements RespReply {
    }

    static RespReply bulk(String text) {
        return new Bulk(text.getBytes(StandardCharsets.UTF_8));
    }

    static RespReply bulkOrNull(byte[] bytes) {
        return bytes == null ? NULL : new Bulk(bytes);
    }

    static RespReply error(String text) {
        return new Error(text);
    }

    static RespReply integer(long value) {
        return new Int(value);
    }

    static RespReply array(List<RespReply> items) {
        return new Array(items);
    }

    /** An array of bulk strings. */
    static RespReply bulkArray(List<String> items) {
        List<RespReply> replies = new ArrayList<>(items.size());
        items.forEach(item -> replies.add(bulk(item)));
        return new Array(replies);
    }

    /** A map whose keys are bulk strings; values that are strings or numbers become bulk or integer replies. */
    static RespReply map(Map<String, ?> entries) {
        List<RespReply> flat = new ArrayList<>(entries.size() * 2);
        entries.forEach((key, value) -> {
            flat.add(bulk(key));
            flat.add(value instanceof RespReply reply ? reply
                    : value instanceof Number number ? integer(number.longValue())
                    : bulk(String.valueOf(value)));
        });
        return new MapReply(flat);
    }
}
