package io.dkv.core.message;

/**
 * A replica stored (or already had something at least as new as) the entry.
 *
 * @param hadValue whether the key held a live value before this write (lets DEL count)
 */
public record WriteReply(boolean hadValue) implements Message {

    public static final WriteReply HAD_VALUE = new WriteReply(true);
    public static final WriteReply NO_VALUE = new WriteReply(false);

    public static WriteReply of(boolean hadValue) {
        return hadValue ? HAD_VALUE : NO_VALUE;
    }
}
