package io.dkv.server.resp;

/** The client broke the protocol so badly that the connection cannot continue. */
final class RespProtocolException extends RuntimeException {

    RespProtocolException(String message) {
        super(message);
    }
}
