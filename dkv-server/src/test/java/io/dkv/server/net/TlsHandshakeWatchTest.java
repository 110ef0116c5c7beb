package io.dkv.server.net;

import io.dkv.core.NodeId;
import io.dkv.testkit.TestCertificates;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The watch behind an SslHandler, without sockets: failed handshakes close quietly and say why. */
class TlsHandshakeWatchTest {

    @TempDir
    Path dir;

    @Test
    void plainTextIntoATlsServerClosesTheConnectionWithoutAnExceptionDownThePipeline() throws Exception {
        TestCertificates.Issued node = TestCertificates.authority("ca", dir).issue("node");
        SslContext server = SslContextBuilder.forServer(node.certFile().toFile(), node.keyFile().toFile())
                .sslProvider(SslProvider.JDK).build();
        List<Throwable> seenBehind = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(server.newHandler(channel.alloc()),
                new TlsHandshakeWatch(NodeId.of(1), "n2 at test", failures::add, new ConcurrentHashMap<>()),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        seenBehind.add(cause);
                    }
                });

        channel.writeInbound(Unpooled.copiedBuffer("*1\r\n$4\r\nPING\r\n", StandardCharsets.US_ASCII));
        channel.runPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(seenBehind).isEmpty();
        assertThat(failures).containsExactly("TLS handshake failed: it does not speak TLS (plain text on a TLS port?)");
        channel.finishAndReleaseAll();
    }

    @Test
    void theReasonIsTheInnermostCause() {
        SSLHandshakeException handshake = new SSLHandshakeException("General OpenSslEngine problem");
        handshake.initCause(new CertificateException("unable to find valid certification path to requested target"));

        assertThat(TlsHandshakeWatch.reason(new DecoderException(handshake)))
                .isEqualTo("unable to find valid certification path to requested target");
        assertThat(TlsHandshakeWatch.reason(new DecoderException(new NotSslRecordException("not an SSL/TLS record: 2a31"))))
                .isEqualTo("it does not speak TLS (plain text on a TLS port?)");
    }
}
