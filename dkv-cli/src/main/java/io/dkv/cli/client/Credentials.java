package io.dkv.cli.client;

/**
 * What a client sends as {@code AUTH} right after connecting, like redis-cli's {@code --user}
 * and {@code -a}: a password alone authenticates the default user.
 *
 * @param user     the user name, or {@code null} for the default user
 * @param password the password, or {@code null} to send no AUTH at all
 */
public record Credentials(String user, String password) {

    public static final Credentials NONE = new Credentials(null, null);

    public boolean present() {
        return password != null;
    }

    /** The AUTH command's arguments: {@code AUTH password} or {@code AUTH user password}. */
    public String[] authCommand() {
        return user == null ? new String[] {"AUTH", password} : new String[] {"AUTH", user, password};
    }
}
