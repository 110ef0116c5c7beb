package io.dkv.cli.client;

import picocli.CommandLine.Option;

/**
 * {@code --user USER -a PASSWORD} (or {@code DKV_PASSWORD}), as redis-cli spells them: the
 * credentials every {@code dkv} command that talks to a node sends as AUTH.
 */
public final class AuthOptions {

    @Option(names = "--user", paramLabel = "USER", description = "ACL user to AUTH as (default: the default user).")
    String user;

    @Option(names = {"-a", "--pass"}, paramLabel = "PASSWORD", defaultValue = "${env:DKV_PASSWORD}",
            description = "Password to AUTH with (default: $DKV_PASSWORD; none: no AUTH).")
    String password;

    /**
     * The credentials given, or {@link Credentials#NONE}.
     *
     * @throws IllegalArgumentException for a user without a password
     */
    public Credentials credentials() {
        if (password == null || password.isEmpty()) {
            if (user != null) {
                throw new IllegalArgumentException("--user " + user + " needs a password: -a/--pass or DKV_PASSWORD");
            }
            return Credentials.NONE;
        }
        return new Credentials(user, password);
    }
}
