package io.dkv.cli.check;

import io.dkv.core.version.Version;

import java.util.Objects;

/**
 * One operation of a checked run, as a client saw it.
 *
 * @param client  the client that ran it (0, 1, ...; -1 for the final reads after the run)
 * @param key     the key
 * @param kind    write or read
 * @param start   {@link System#nanoTime()} when the request was sent
 * @param end     {@link System#nanoTime()} when the answer arrived or the client gave up
 * @param outcome ok, failed (an error reply: it did not happen, or may have partly) or indeterminate (no answer)
 * @param value   a write's value; a read's returned value ({@code null} when absent or deleted)
 * @param version a write's version when it was acknowledged; a read's returned version ({@code null} when absent)
 * @param error   the error text when not ok
 */
public record Op(int client, String key, Kind kind, long start, long end, Outcome outcome,
                 String value, Version version, String error) {

    public enum Kind { WRITE, READ }

    public enum Outcome { OK, FAILED, INDETERMINATE }

    public Op {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(outcome, "outcome");
        if (end < start) {
            throw new IllegalArgumentException("op ends (" + end + ") before it starts (" + start + ")");
        }
        if (kind == Kind.WRITE && value == null) {
            throw new IllegalArgumentException("a write needs its value");
        }
    }

    public static Op write(int client, String key, String value, long start, long end, Outcome outcome, Version version, String error) {
        return new Op(client, key, Kind.WRITE, start, end, outcome, value, version, error);
    }

    public static Op read(int client, String key, long start, long end, Outcome outcome, String value, Version version, String error) {
        return new Op(client, key, Kind.READ, start, end, outcome, value, version, error);
    }

    public boolean ok() {
        return outcome == Outcome.OK;
    }
}
