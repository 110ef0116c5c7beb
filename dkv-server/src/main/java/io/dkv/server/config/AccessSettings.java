package io.dkv.server.config;

import io.dkv.core.InvalidConfigException;
import io.dkv.server.acl.Users;

import java.util.Objects;

/**
 * Who may talk to a node: its users (from {@code requirepass} and {@code users}) and whether
 * the HTTP port asks for the same credentials.
 *
 * @param users    the users; without settings, the default user needs no password
 * @param httpAuth {@code http-auth}: {@code /}, {@code /health} and {@code /metrics} need HTTP
 *                 Basic credentials of a user
 */
public record AccessSettings(Users users, boolean httpAuth) {

    public AccessSettings {
        Objects.requireNonNull(users, "users");
        if (httpAuth && !users.passwordRequired()) {
            throw new InvalidConfigException("http-auth (yes) needs a password for the default user:"
                    + " set requirepass, or give the default user one in users");
        }
    }

    /** No passwords anywhere, as a node starts without settings. */
    public static AccessSettings open() {
        return new AccessSettings(Users.open(), false);
    }
}
