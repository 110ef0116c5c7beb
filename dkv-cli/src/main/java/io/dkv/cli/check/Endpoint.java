package io.dkv.cli.check;

import io.dkv.cli.client.ClientTls;
import io.dkv.cli.client.Credentials;
import io.dkv.cli.client.RespClient;
import io.dkv.core.Consistency;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One node's client port, and the requests {@code dkv check} sends to it outside the load.
 *
 * @param host the node's host
 * @param port its client (Redis protocol) port
 * @param node its id, e.g. {@code n3}, when known (from the cluster folder); else {@code null}
 * @param credentials sent as AUTH on every connection, when present
 * @param tls         whether connections speak TLS, and with which files
 */
record Endpoint(String host, int port, String node, Credentials credentials, ClientTls tls) {

    /** The node's id, or host:port when it is not known. */
    String name() {
        return node != null ? node : host + ":" + port;
    }

    /** A connection with this connection's read and write levels set. */
    RespClient connect(Consistency read, Consistency write, int timeoutMillis) throws IOException {
        RespClient client = open(timeoutMillis);
        try {
            expectOk(client.call("DKV.CONSISTENCY", "READ", read.name()));
            expectOk(client.call("DKV.CONSISTENCY", "WRITE", write.name()));
            return client;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * Whether the node is ready to count as healthy: it answers PING, and its own row of
     * {@code DKV.STATUS} says anything but {@code recovering} (a node that restarted may lack
     * data for a while). An error, no answer or no own row is not ready.
     */
    boolean ready(int timeoutMillis) {
        try (RespClient client = open(timeoutMillis)) {
            if (!"PONG".equals(client.call("PING"))) {
                return false;
            }
            if (node == null) {
                return true;
            }
            if (!(client.call("DKV.STATUS") instanceof List<?> rows)) {
                return false;
            }
            for (Object row : rows) {
                if (row instanceof List<?> fields && fields.size() > 1 && node.equals(text(fields.get(0)))) {
                    return !"recovering".equals(text(fields.get(1)));
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A connection without levels set, authenticated when there are credentials. */
    RespClient open(int timeoutMillis) throws IOException {
        return new RespClient(host, port, timeoutMillis, credentials, tls);
    }

    static String text(Object field) {
        return field instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(field);
    }

    private static void expectOk(Object reply) throws IOException {
        if (reply instanceof RespClient.ErrorReply error) {
            throw new IOException(error.message());
        }
    }

    @Override
    public String toString() {
        return name() + " (" + host + ":" + port + ")";
    }
}
