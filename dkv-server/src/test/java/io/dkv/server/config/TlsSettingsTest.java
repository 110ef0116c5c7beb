package io.dkv.server.config;

import io.dkv.core.InvalidConfigException;
import io.dkv.core.NodeId;
import io.dkv.server.net.NodeTls;
import io.dkv.testkit.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The TLS settings: TLS is on only with a certificate and its key, the client port then
 * follows base-port, and every combination that cannot work is refused by name, the
 * certificate files when the node starts.
 */
class TlsSettingsTest {

    @TempDir
    static Path dir;
    private static TestCertificates.Authority ca;
    private static TestCertificates.Issued node;

    @BeforeAll
    static void certificates() {
        ca = TestCertificates.authority("ca", dir);
        node = ca.issue("node");
    }

    private static SettingsBuilder builder() {
        return new SettingsBuilder().set("node", "n2").set("nodes", "3").set("replicas", "3").set("base-port", "7400");
    }

    private static SettingsBuilder withCertificate() {
        return builder().set("tls-cert-file", node.certFile().toString()).set("tls-key-file", node.keyFile().toString());
    }

    @Test
    void withoutACertificateThereIsNoTls() {
        TlsSettings tls = builder().build().tls();

        assertThat(tls.enabled()).isFalse();
        assertThat(tls.port()).isZero();
        assertThat(tls).isEqualTo(TlsSettings.off());
    }

    @Test
    void aCertificateOpensTheTlsClientPortAtBasePortPlus3000PlusI() {
        TlsSettings tls = withCertificate().build().tls();

        assertThat(tls.enabled()).isTrue();
        assertThat(tls.port()).isEqualTo(7400 + 3000 + 1);
        assertThat(tls.authClients()).as("no authority, no client certificates to check").isEqualTo(TlsSettings.AuthClients.NO);
        assertThat(tls.cluster()).isFalse();
        assertThat(tls.http()).isFalse();
        assertThat(withCertificate().set("tls-port", "6380").build().tls().port()).isEqualTo(6380);
        assertThat(withCertificate().set("tls-port", "0").build().tls().port()).as("0: no TLS client port").isZero();
    }

    @Test
    void thePlainClientPortMayBeTurnedOffOnlyWhenThereIsATlsOne() {
        NodeSettings tlsOnly = withCertificate().set("resp-port", "0").build();

        assertThat(tlsOnly.respPort()).isZero();
        assertThat(tlsOnly.tls().port()).isEqualTo(10401);
        assertRefused(builder().set("resp-port", "0"), "resp-port (0) turns the plain client port off, which leaves clients no port");
        assertRefused(withCertificate().set("resp-port", "0").set("tls-port", "0"), "resp-port (0) turns the plain client port off");
    }

    @Test
    void anAuthorityMakesClientCertificatesRequiredAsInRedis() {
        SettingsBuilder builder = withCertificate().set("tls-ca-cert-file", ca.certFile().toString());

        assertThat(builder.build().tls().authClients()).isEqualTo(TlsSettings.AuthClients.YES);
        assertThat(builder.set("tls-auth-clients", "optional").build().tls().authClients())
                .isEqualTo(TlsSettings.AuthClients.OPTIONAL);
        assertThat(builder.set("tls-auth-clients", "no").build().tls().authClients()).isEqualTo(TlsSettings.AuthClients.NO);
        TlsSettings all = builder.set("tls-cluster", "yes").set("tls-http", "yes").build().tls();
        assertThat(all.cluster()).isTrue();
        assertThat(all.http()).isTrue();
    }

    @Test
    void yamlTakesTheSameNamesAndRedisStyleYesAndNo() throws IOException {
        Path file = Files.writeString(dir.resolve("node.yaml"), "tls-cert-file: " + node.certFile() + "\n"
                + "tls-key-file: " + node.keyFile() + "\n"
                + "tls-ca-cert-file: " + ca.certFile() + "\n"
                + "tls-auth-clients: optional\n"
                + "tls-cluster: yes\n"
                + "tls-http: no\n"
                + "tls-join: yes\n"
                + "tls-port: 6390\n");

        TlsSettings tls = new SettingsBuilder().load(file).build().tls();

        assertThat(tls).isEqualTo(new TlsSettings(6390, node.certFile(), node.keyFile(), ca.certFile(),
                TlsSettings.AuthClients.OPTIONAL, true, false, true));
    }

    @Test
    void settingsThatCannotWorkAreRefusedByName() {
        String cert = node.certFile().toString();
        String key = node.keyFile().toString();
        String authority = ca.certFile().toString();
        assertRefused(builder().set("tls-cert-file", cert), "tls-cert-file (" + cert + ") needs tls-key-file");
        assertRefused(builder().set("tls-key-file", key), "tls-key-file (" + key + ") needs tls-cert-file");
        assertRefused(builder().set("tls-port", "6380"), "tls-port (6380) needs tls-cert-file and tls-key-file");
        assertRefused(builder().set("tls-cluster", "yes"), "tls-cluster (yes) needs tls-cert-file and tls-key-file");
        assertRefused(builder().set("tls-http", "yes"), "tls-http (yes) needs tls-cert-file and tls-key-file");
        assertRefused(builder().set("tls-join", "yes"), "tls-join (yes) needs tls-cert-file and tls-key-file");
        assertRefused(builder().set("tls-ca-cert-file", authority), "tls-ca-cert-file (" + authority
                + ") needs tls-cert-file and tls-key-file");
        assertRefused(withCertificate().set("tls-cluster", "yes"), "tls-cluster (yes) needs tls-ca-cert-file");
        assertRefused(withCertificate().set("tls-auth-clients", "yes"), "tls-auth-clients (yes) needs tls-ca-cert-file");
        assertRefused(withCertificate().set("tls-auth-clients", "optional"), "tls-auth-clients (optional) needs tls-ca-cert-file");
        assertRefused(withCertificate().set("tls-port", "7401"), "tls-port (7401) must differ from resp-port (7401)");
        assertRefused(withCertificate().set("tls-port", "70000"), "tls-port (70000) must be between 0 and 65535");
        assertThatThrownBy(() -> builder().set("tls-auth-clients", "sometimes"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("tls-auth-clients: expected yes, no or optional, got 'sometimes'");
        assertThatThrownBy(() -> builder().set("tls-cluster", "maybe")).hasMessage("tls-cluster: expected true or false, got 'maybe'");
    }

    @Test
    void aMissingOrWrongCertificateFileIsNamedWithItsSettingWhenTheNodeStarts() throws IOException {
        Path missing = dir.resolve("missing.crt");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        String cert = node.certFile().toString();

        assertStartRefused(builder().set("tls-cert-file", missing.toString()).set("tls-key-file", node.keyFile().toString()),
                "tls-cert-file (" + missing + "): no such file");
        assertStartRefused(builder().set("tls-cert-file", cert).set("tls-key-file", missing.toString()),
                "tls-key-file (" + missing + "): no such file");
        assertStartRefused(builder().set("tls-cert-file", garbage.toString()).set("tls-key-file", node.keyFile().toString()),
                "tls-cert-file (" + garbage + ") is not a PEM certificate");
        assertStartRefused(builder().set("tls-cert-file", cert).set("tls-key-file", cert),
                "tls-key-file (" + cert + ") is not a PEM private key");
        assertStartRefused(withCertificate().set("tls-ca-cert-file", garbage.toString()),
                "tls-ca-cert-file (" + garbage + ") is not a PEM certificate");
        assertStartRefused(withCertificate().set("tls-ca-cert-file", dir.toString()), "tls-ca-cert-file (" + dir + "): not a readable file");
    }

    @Test
    void goodFilesLoad() {
        NodeTls tls = NodeTls.load(NodeId.of(2), withCertificate().set("tls-ca-cert-file", ca.certFile().toString())
                .set("tls-cluster", "yes").set("tls-http", "yes").build().tls());

        assertThat(tls.clientPort()).isTrue();
        assertThat(tls.cluster()).isTrue();
        assertThat(tls.http()).isTrue();
        assertThat(tls.describe()).matches("(OpenSSL|JDK) \\(.*\\)");
        assertThat(NodeTls.load(NodeId.of(2), builder().build().tls())).isSameAs(NodeTls.OFF);
    }

    private static void assertRefused(SettingsBuilder builder, String message) {
        assertThatThrownBy(builder::build).isInstanceOf(InvalidConfigException.class).hasMessageContaining(message);
    }

    private static void assertStartRefused(SettingsBuilder builder, String message) {
        TlsSettings tls = builder.build().tls();
        assertThatThrownBy(() -> NodeTls.load(NodeId.of(2), tls)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(message);
    }
}
