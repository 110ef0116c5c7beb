package io.dkv.server.net;

import io.dkv.core.message.Message;

/**
 * One unit on an internode connection.
 *
 * @param kind          what the frame is
 * @param correlationId matches a response to its request (0 for one-way messages)
 * @param message       the message carried
 */
record Frame(Kind kind, long correlationId, Message message) {

    enum Kind {
        REQUEST(1), RESPONSE(2), ONE_WAY(3);

        final byte code;

        Kind(int code) {
            this.code = (byte) code;
        }

        static Kind of(byte code) {
            for (Kind kind : values()) {
                if (kind.code == code) {
                    return kind;
                }
            }
            return null;
        }
    }
}
