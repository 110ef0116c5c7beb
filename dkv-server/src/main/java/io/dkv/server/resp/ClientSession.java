package io.dkv.server.resp;

import io.dkv.core.Consistency;
import io.dkv.server.acl.Permissions;

/**
 * One client connection's state: protocol version, name, chosen consistency levels, and the
 * user it is authenticated as.
 * Confined to the connection's event loop.
 */
final class ClientSession {

    private final long id;
    private final String remoteAddress;
    private final long connectedAtMillis;
    private int protocol = 2;
    private String name = "";
    private String libraryName = "";
    private String libraryVersion = "";
    private Consistency readConsistency;
    private Consistency writeConsistency;
    private String lastCommand = "NULL";
    private Permissions user;
    private volatile boolean closing;

    /**
     * @param user what the connection may do before it authenticates: the default user's
     *             permissions when it needs no password, else {@code null} (only AUTH, HELLO,
     *             QUIT and RESET are accepted)
     */
    ClientSession(long id, String remoteAddress, Consistency readConsistency, Consistency writeConsistency,
                  Permissions user) {
        this.user = user;
        this.id = id;
        this.remoteAddress = remoteAddress;
        this.connectedAtMillis = System.currentTimeMillis();
        this.readConsistency = readConsistency;
        this.writeConsistency = writeConsistency;
    }

    long id() {
        return id;
    }

    String remoteAddress() {
        return remoteAddress;
    }

    long connectedAtMillis() {
        return connectedAtMillis;
    }

    int protocol() {
        return protocol;
    }

    void protocol(int protocol) {
        this.protocol = protocol;
    }

    String name() {
        return name;
    }

    void name(String name) {
        this.name = name;
    }

    String libraryName() {
        return libraryName;
    }

    void libraryName(String libraryName) {
        this.libraryName = libraryName;
    }

    String libraryVersion() {
        return libraryVersion;
    }

    void libraryVersion(String libraryVersion) {
        this.libraryVersion = libraryVersion;
    }

    Consistency readConsistency() {
        return readConsistency;
    }

    void readConsistency(Consistency level) {
        this.readConsistency = level;
    }

    Consistency writeConsistency() {
        return writeConsistency;
    }

    void writeConsistency(Consistency level) {
        this.writeConsistency = level;
    }

    /** The authenticated user's permissions, or {@code null} before authentication. */
    Permissions user() {
        return user;
    }

    void user(Permissions user) {
        this.user = user;
    }

    String lastCommand() {
        return lastCommand;
    }

    void lastCommand(String command) {
        this.lastCommand = command;
    }

    /** The connection closes once the replies before this point are written (QUIT). */
    void closeAfterReply() {
        closing = true;
    }

    boolean closing() {
        return closing;
    }

    /** One line of {@code CLIENT LIST} / {@code CLIENT INFO}. */
    String describe() {
        long ageSeconds = (System.currentTimeMillis() - connectedAtMillis) / 1000;
        return "id=" + id + " addr=" + remoteAddress + " name=" + name + " age=" + ageSeconds + " db=0 resp=" + protocol
                + " user=" + (user == null ? "default" : user.userName())
                + " lib-name=" + libraryName + " lib-ver=" + libraryVersion + " cmd=" + lastCommand.toLowerCase()
                + " read-consistency=" + readConsistency + " write-consistency=" + writeConsistency;
    }
}
