package io.dkv.core;

/** A setting, or a combination of settings, is not valid. The message names the setting. */
public final class InvalidConfigException extends DkvException {

    public InvalidConfigException(String message) {
        super(message);
    }
}
