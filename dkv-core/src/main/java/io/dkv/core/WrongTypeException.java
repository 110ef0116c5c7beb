package io.dkv.core;

/**
 * A command for one type met a key holding another (GET on a hash, HSET on a string): the
 * error Redis gives, WRONGTYPE on the wire.
 */
public final class WrongTypeException extends DkvException {

    public WrongTypeException() {
        super("Operation against a key holding the wrong kind of value");
    }
}
