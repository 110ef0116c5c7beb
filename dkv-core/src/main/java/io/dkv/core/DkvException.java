package io.dkv.core;

/**
 * The root of every error dkv raises on purpose. Each subclass has one wire meaning;
 * the server maps them to client-visible error codes in one place.
 */
public class DkvException extends RuntimeException {

    public DkvException(String message) {
        super(message);
    }

    public DkvException(String message, Throwable cause) {
        super(message, cause);
    }
}
