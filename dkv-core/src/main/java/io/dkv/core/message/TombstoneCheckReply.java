package io.dkv.core.message;

import java.util.Objects;

/** For each key asked about in a {@link TombstoneCheck}: whether purging its tombstone is safe here. */
public record TombstoneCheckReply(boolean[] safe) implements Message {

    public TombstoneCheckReply {
        Objects.requireNonNull(safe, "safe");
    }
}
