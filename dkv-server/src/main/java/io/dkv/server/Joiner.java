package io.dkv.server;

import io.dkv.cluster.ClusterNode;
import io.dkv.core.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Asks a member of a running cluster to let this node join ({@code join: HOST:PORT}): sends
 * {@code DKV.JOIN <this node> <its internode host:port>} to that member's client port, and
 * tries again every few seconds while the member is unreachable or another change is under
 * way. Once the change is committed, the ring (and with it this node's share of partitions)
 * reaches this node by the epoch register's commits and gossip; the node copies its
 * partitions and serves them when the change finishes. A node that is already in the ring
 * it restarted with does not ask again. With {@code replace: NODE} it asks
 * {@code DKV.REPLACE NODE <this node> <host:port>} instead: it takes over exactly the
 * partitions of that node, which must be gone for good. With {@code join-password} (and
 * {@code join-user}) it first sends {@code AUTH} on that connection, as a Redis replica does
 * with {@code masterauth}: the member's client port may need a password. With {@code tls-join}
 * the connection is TLS ({@code join} then names the member's {@code tls-port}), as a Redis
 * replica's with {@code tls-replication}.
 *
 * <p>Runs on a thread of its own: a blocking socket, a few requests in a node's lifetime.
 */
final class Joiner implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Joiner.class);
    private static final long RETRY_MILLIS = 2_000;
    private static final int TIMEOUT_MILLIS = 60_000;

    private final ClusterNode node;
    private final String member;
    private final String ownAddress;
    private final NodeId replacing;
    private final String user;
    private final String password;
    private final SSLSocketFactory tls;

    Joiner(ClusterNode node, String member, String ownAddress, NodeId replacing, String user, String password,
           SSLSocketFactory tls) {
        this.node = node;
        this.member = member;
        this.ownAddress = ownAddress;
        this.replacing = replacing;
        this.user = user;
        this.password = password;
        this.tls = tls;
    }

    /**
     * @param user     the user to AUTH as, or null for the default user
     * @param password its password, or null to send no AUTH
     * @param tls      TLS sockets for the member's {@code tls-port}, or null for plain text
     */
    static Thread start(ClusterNode node, String member, String ownAddress, NodeId replacing, String user,
                        String password, SSLSocketFactory tls) {
        Thread thread = new Thread(new Joiner(node, member, ownAddress, replacing, user, password, tls),
                node.id() + "-join");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Override
    public void run() {
        NodeId self = node.id();
        while (!Thread.currentThread().isInterrupted()) {
            if (node.rings().state().allNodes().contains(self)) {
                log.info("{} is a node of the ring (epoch {})", self, node.rings().epoch());
                return;
            }
            try {
                String reply = ask(self);
                if (reply.startsWith("*")) {
                    log.info("{} asked {} to join: the change is committed; copying its partitions", self, member);
                    return;
                }
                log.info("{} could not join through {} yet: {}; trying again", self, member, reply);
            } catch (IOException e) {
                log.info("{} could not reach {} to join ({}); trying again", self, member, e.getMessage());
            }
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Sends DKV.JOIN and returns the reply's first line. */
    private String ask(NodeId self) throws IOException {
        int colon = member.lastIndexOf(':');
        if (colon <= 0) {
            throw new IOException("join address '" + member + "' is not HOST:PORT");
        }
        String host = member.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(member.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IOException("join address '" + member + "' has no port number");
        }
        try (Socket socket = open(host, port)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            if (password != null) {
                out.write(user == null ? command("AUTH", password) : command("AUTH", user, password));
                out.flush();
                String auth = readLine(in);
                if (!auth.startsWith("+")) {
                    return "AUTH refused (" + auth + "): check join-user and join-password";
                }
            }
            out.write(replacing == null ? command("DKV.JOIN", self.toString(), ownAddress)
                    : command("DKV.REPLACE", replacing.toString(), self.toString(), ownAddress));
            out.flush();
            return readLine(in);
        }
    }

    /** A socket connected to the member: plain, or TLS with its handshake done. */
    private Socket open(String host, int port) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            plain.setSoTimeout(TIMEOUT_MILLIS);
            if (tls == null) {
                return plain;
            }
            SSLSocket secure = (SSLSocket) tls.createSocket(plain, host, port, true);
            secure.startHandshake();
            return secure;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private static byte[] command(String... words) {
        StringBuilder text = new StringBuilder("*").append(words.length).append("\r\n");
        for (String word : words) {
            text.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word).append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.append((char) b);
            }
            if (line.length() > 4096) {
                break;
            }
        }
        return line.toString();
    }
}
