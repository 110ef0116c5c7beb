package io.dkv.server.config;

import io.dkv.core.InvalidConfigException;
import io.dkv.server.acl.Users;
import io.dkv.server.net.PeerSecret;

import java.util.Objects;

/**
 * Who may talk to a node: its users (from {@code requirepass} and {@code users}) and whether
 * the HTTP port asks for the same credentials.
 *
 * @param users    the users; without settings, the default user needs no password
 * @param httpAuth {@code http-auth}: {@code /}, {@code /health} and {@code /metrics} need HTTP
 *                 Basic credentials of a user
 * @param clusterSecret {@code cluster-secret}: what peers prove they know before this node
 *                 talks to them ({@link PeerSecret}); null for none
 * @param joinUser {@code join-user}: the user a joining node authenticates as on the member
 *                 it joins through (Redis's {@code masteruser}); null for the default user
 * @param joinPassword {@code join-password}: that user's password (Redis's {@code masterauth});
 *                 null to send no AUTH
 */
public record AccessSettings(Users users, boolean httpAuth, String clusterSecret, String joinUser,
                             String joinPassword) {

    public AccessSettings(Users users, boolean httpAuth, String clusterSecret) {
        this(users, httpAuth, clusterSecret, null, null);
    }

    public AccessSettings {
        if (joinPassword != null && joinPassword.isEmpty()) {
            joinPassword = null;
        }
        if (joinUser != null && joinUser.isEmpty()) {
            joinUser = null;
        }
        if (joinUser != null && joinPassword == null) {
            throw new InvalidConfigException("join-user (" + joinUser + ") needs join-password");
        }
        Objects.requireNonNull(users, "users");
        if (clusterSecret != null && clusterSecret.isEmpty()) {
            clusterSecret = null;
        }
        try {
            PeerSecret.of(clusterSecret);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(e.getMessage());
        }
        if (httpAuth && !users.passwordRequired()) {
            throw new InvalidConfigException("http-auth (yes) needs a password for the default user:"
                    + " set requirepass, or give the default user one in users");
        }
    }

    /** No passwords anywhere, as a node starts without settings. */
    public static AccessSettings open() {
        return new AccessSettings(Users.open(), false, null);
    }

    /** The cluster-secret's proofs, or null without one. */
    public PeerSecret peerSecret() {
        return PeerSecret.of(clusterSecret);
    }

    /** A record's text would show the secret; this one does not. */
    @Override
    public String toString() {
        return "AccessSettings[users=" + users + ", httpAuth=" + httpAuth + ", clusterSecret="
                + (clusterSecret == null ? "none" : "(set)") + ", joinUser=" + (joinUser == null ? "default" : joinUser)
                + ", joinPassword=" + (joinPassword == null ? "none" : "(set)") + "]";
    }
}
