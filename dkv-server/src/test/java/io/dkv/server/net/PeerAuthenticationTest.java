package io.dkv.server.net;

import io.dkv.cluster.ClusterNode;
import io.dkv.core.Consistency;
import io.dkv.core.NodeId;
import io.dkv.server.LocalCluster;
import io.dkv.server.NodeServer;
import io.dkv.server.config.SettingsBuilder;
import io.dkv.testkit.Ports;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Peers prove the cluster-secret before a node talks to them, both ways. */
class PeerAuthenticationTest {

    private static final String SECRET = "correct horse battery staple";
    private static final String OTHER_SECRET = "another secret of enough length";

    @Test
    void nodesSharingTheSecretServeEveryConsistencyLevel() {
        try (LocalCluster cluster = LocalCluster.start(3, 3, Ports.freeBasePort(3), secrets(SECRET, SECRET, SECRET))) {
            ClusterNode n1 = cluster.server(NodeId.of(1)).node();

            n1.put(bytes("k"), bytes("v"), Consistency.ALL).join();

            assertThat(n1.get(bytes("k"), Consistency.ALL).join()).isEqualTo(bytes("v"));
            assertThat(cluster.server(NodeId.of(3)).node().get(bytes("k"), Consistency.ALL).join()).isEqualTo(bytes("v"));
        }
    }

    @Test
    void aNodeWithAnotherSecretIsRefusedBothWays() {
        assertOutsider(OTHER_SECRET);
    }

    @Test
    void aNodeWithoutTheSecretIsRefusedBothWays() {
        assertOutsider("");
    }

    /** n3 has {@code n3Secret} instead of the others' secret: nobody talks to it, it talks to nobody. */
    private static void assertOutsider(String n3Secret) {
        try (LocalCluster cluster = LocalCluster.start(3, 3, Ports.freeBasePort(3), secrets(SECRET, SECRET, n3Secret))) {
            ClusterNode n1 = cluster.server(NodeId.of(1)).node();
            ClusterNode n3 = cluster.server(NodeId.of(3)).node();

            n1.put(bytes("k"), bytes("v"), Consistency.QUORUM).join();

            assertThatThrownBy(() -> n1.put(bytes("k"), bytes("v2"), Consistency.ALL).join())
                    .as("n3 never acknowledges n1").hasMessageContaining("n3");
            assertThatThrownBy(() -> n3.put(bytes("k"), bytes("v3"), Consistency.QUORUM).join())
                    .as("n3 reaches no one");
            assertThatThrownBy(() -> n3.get(bytes("k"), Consistency.QUORUM).join()).as("n3 hears from no one");
            assertThat(n1.get(bytes("k"), Consistency.QUORUM).join()).as("n1 and n2 answer").isNotNull();
        }
    }

    @Test
    void aHandshakeWithoutProofIsRefusedByANodeWithTheSecret() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, 3, Ports.freeBasePort(3), secrets(SECRET, SECRET, SECRET))) {
            NodeServer n1 = cluster.server(NodeId.of(1));
            long fingerprint = NodeServer.fingerprint(n1.settings().cluster());
            try (Socket socket = connect(n1)) {
                send(socket, new Handshake(NodeId.of(2), NodeId.of(1), fingerprint, Handshake.NO_NONCE));

                assertClosedByPeer(socket);
            }
        }
    }

    @Test
    void aWrongProofIsRefusedAndNothingSentAfterItIsServed() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, 3, Ports.freeBasePort(3), secrets(SECRET, SECRET, SECRET))) {
            NodeServer n1 = cluster.server(NodeId.of(1));
            long fingerprint = NodeServer.fingerprint(n1.settings().cluster());
            try (Socket socket = connect(n1)) {
                PeerSecret impostor = PeerSecret.of(OTHER_SECRET);
                Handshake handshake = new Handshake(NodeId.of(2), NodeId.of(1), fingerprint, impostor.newNonce());
                send(socket, handshake);
                Challenge challenge = (Challenge) receive(socket);

                assertThat(PeerSecret.matches(impostor.acceptorProof(handshake, challenge.nonce()), challenge.proof()))
                        .as("the node's proof does not verify under another secret").isFalse();
                send(socket, new Proof(impostor.connectorProof(handshake, challenge.nonce())));
                assertClosedByPeer(socket);
            }
        }
    }

    @Test
    void tooShortASecretIsRefusedAtStart() {
        assertThatThrownBy(() -> new SettingsBuilder().set("node", "n1").set("cluster-secret", "short").build())
                .hasMessageContaining("cluster-secret has 5 characters; use at least " + PeerSecret.MIN_SECRET_CHARS);
    }

    @Test
    void settingsNeverPrintTheSecret() {
        String text = new SettingsBuilder().set("node", "n1").set("cluster-secret", SECRET).build().toString();

        assertThat(text).doesNotContain(SECRET).contains("clusterSecret=(set)");
    }

    /** Node i (from 1) gets {@code secrets[i - 1]}; empty means none. */
    private static Consumer<SettingsBuilder> secrets(String... secrets) {
        AtomicInteger next = new AtomicInteger();
        return builder -> builder.set("cluster-secret", secrets[next.getAndIncrement()]);
    }

    private static Socket connect(NodeServer server) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.settings().internodePort());
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(InboundHandler.HANDSHAKE_TIMEOUT_SECONDS * 3));
        return socket;
    }

    private static void send(Socket socket, Object opening) throws IOException {
        EmbeddedChannel encoder = new EmbeddedChannel(new FrameEncoder());
        encoder.writeOutbound(opening);
        ByteBuf wire = encoder.readOutbound();
        byte[] bytes = new byte[wire.readableBytes()];
        wire.readBytes(bytes);
        wire.release();
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    private static Object receive(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int length = in.readInt();
        byte[] body = new byte[length];
        in.readFully(body);
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(1 << 20));
        decoder.writeInbound(Unpooled.buffer().writeInt(length).writeBytes(body));
        return decoder.readInbound();
    }

    /** The node closes the connection well before the handshake timeout would. */
    private static void assertClosedByPeer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        long start = System.nanoTime();
        assertThat(in.read()).as("connection closed").isEqualTo(-1);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(InboundHandler.HANDSHAKE_TIMEOUT_SECONDS));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
