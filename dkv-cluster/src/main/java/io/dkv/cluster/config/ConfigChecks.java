package io.dkv.cluster.config;

import io.dkv.core.InvalidConfigException;

/** The one way settings records reject bad values: a message naming the setting. */
final class ConfigChecks {

    private ConfigChecks() {
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new InvalidConfigException(message);
        }
    }
}
