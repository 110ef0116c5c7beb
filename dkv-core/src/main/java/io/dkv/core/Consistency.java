package io.dkv.core;

import java.util.Locale;

/** How many replicas must answer before a request succeeds. */
public enum Consistency {
    ONE,
    /** A strict majority: floor(replicas / 2) + 1. */
    QUORUM,
    ALL;

    /** The number of answers this level needs when a key has {@code replicas} replicas. */
    public int required(int replicas) {
        return switch (this) {
            case ONE -> 1;
            case QUORUM -> replicas / 2 + 1;
            case ALL -> replicas;
        };
    }

    /** Parses a level case-insensitively, naming the valid choices when the text is not one. */
    public static Consistency parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown consistency '" + text + "' (expected ONE, QUORUM or ALL)");
        }
    }
}
