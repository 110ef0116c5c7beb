package io.dkv.cli.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small blocking Redis-protocol client for the command line: one request, one reply.
 * Replies come back as Java values: {@link String} for status lines, {@code byte[]} for
 * bulk strings, {@link Long}, {@code null}, {@link List} for arrays (and RESP3 maps,
 * flattened), and {@link ErrorReply} for errors. Not thread-safe.
 */
public final class RespClient implements AutoCloseable {

    /** An error reply, e.g. {@code ERR unknown command}. */
    public record ErrorReply(String message) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** Said after an I/O error, when TLS without a client certificate may be why. */
    private final String tlsHint;

    public RespClient(String host, int port, int timeoutMillis) throws IOException {
        this(host, port, timeoutMillis, Credentials.NONE, ClientTls.NONE);
    }

    /**
     * Connects (over TLS when {@code tls} says so) and, when credentials are given,
     * authenticates first; a refused AUTH closes the connection and fails with the server's
     * error (e.g. {@code WRONGPASS ...}), a failed TLS handshake with its reason.
     */
    public RespClient(String host, int port, int timeoutMillis, Credentials credentials, ClientTls tls) throws IOException {
        socket = connect(host, port, timeoutMillis, tls);
        tlsHint = tls.enabled() && tls.cert() == null
                ? " (no client certificate was sent: if the node has tls-auth-clients, give --cert and --key)" : "";
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        if (credentials.present()) {
            Object reply;
            try {
                reply = call(credentials.authCommand());
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            if (reply instanceof ErrorReply error) {
                socket.close();
                throw new IOException("AUTH refused: " + error.message());
            }
        }
    }

    private static Socket connect(String host, int port, int timeoutMillis, ClientTls tls) throws IOException {
        Socket plain = new Socket();
        plain.setTcpNoDelay(true);
        plain.setSoTimeout(timeoutMillis);
        plain.connect(new InetSocketAddress(host, port), timeoutMillis);
        if (!tls.enabled()) {
            return plain;
        }
        try {
            SSLSocket secure = (SSLSocket) tls.socketFactory().createSocket(plain, host, port, true);
            secure.startHandshake();
            return secure;
        } catch (IOException | IllegalArgumentException e) {
            plain.close();
            throw new IOException("TLS handshake failed: " + e.getMessage(), e);
        }
    }

    public Object call(String... args) throws IOException {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return call(bytes);
    }

    public Object call(byte[]... args) throws IOException {
        try {
            return send(args);
        } catch (IOException e) {
            if (tlsHint.isEmpty()) {
                throw e;
            }
            throw new IOException(e.getMessage() + tlsHint, e);
        }
    }

    private Object send(byte[]... args) throws IOException {
        out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] arg : args) {
            out.write(('$' + Integer.toString(arg.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(arg);
            out.write('\r');
            out.write('\n');
        }
        out.flush();
        return readReply();
    }

    private Object readReply() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("the server closed the connection");
        }
        String line = readLine();
        switch (type) {
            case '+':
                return line;
            case '-':
                return new ErrorReply(line);
            case ':':
                return Long.parseLong(line);
            case '_':
                return null;
            case '#':
                return line.equals("t");
            case ',':
                return Double.parseDouble(line);
            case '$':
            case '=': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(length);
                if (data.length < length) {
                    throw new EOFException("bulk reply cut short");
                }
                readLine();
                return data;
            }
            case '*':
            case '~':
            case '%': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                int items = type == '%' ? 2 * count : count;
                List<Object> list = new ArrayList<>(items);
                for (int i = 0; i < items; i++) {
                    list.add(readReply());
                }
                return list;
            }
            default:
                throw new IOException("unexpected reply type '" + (char) type + "'");
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new EOFException("the server closed the connection");
            }
            line.append((char) c);
        }
        if (in.read() != '\n') {
            throw new IOException("malformed reply: CR without LF");
        }
        return new String(line.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
