package io.dkv.cli.client;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Renders replies the way redis-cli does in a terminal: "text", (nil), (integer) 3, (error) ... */
public final class ReplyFormat {

    private ReplyFormat() {
    }

    public static String format(Object reply) {
        StringBuilder text = new StringBuilder();
        append(reply, "", text);
        return text.toString();
    }

    private static void append(Object reply, String indent, StringBuilder text) {
        if (reply == null) {
            text.append("(nil)");
        } else if (reply instanceof RespClient.ErrorReply error) {
            text.append("(error) ").append(error.message());
        } else if (reply instanceof Long number) {
            text.append("(integer) ").append(number);
        } else if (reply instanceof byte[] bytes) {
            text.append('"').append(escape(bytes)).append('"');
        } else if (reply instanceof List<?> list) {
            if (list.isEmpty()) {
                text.append("(empty array)");
            }
            int width = String.valueOf(list.size()).length();
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    text.append('\n').append(indent);
                }
                String label = String.format("%" + width + "d) ", i + 1);
                text.append(label);
                append(list.get(i), indent + " ".repeat(label.length()), text);
            }
        } else {
            text.append(reply);
        }
    }

    /** Bulk bytes as readable text: printable ASCII kept, the rest escaped. */
    public static String escape(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        String decoded = new String(bytes, StandardCharsets.UTF_8);
        for (char c : decoded.toCharArray()) {
            switch (c) {
                case '"' -> text.append("\\\"");
                case '\\' -> text.append("\\\\");
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                case '\t' -> text.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        text.append(String.format("\\x%02x", (int) c));
                    } else {
                        text.append(c);
                    }
                }
            }
        }
        return text.toString();
    }
}
