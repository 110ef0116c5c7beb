package io.dkv.testkit;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificate authorities and the certificates they issue, made by a test and written as PEM
 * files (certificate, and its key as PKCS#8) the way an operator would hand them to a node or
 * to redis-cli. Keys are EC P-256: quick to make. Certificates name localhost and 127.0.0.1.
 */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    private TestCertificates() {
    }

    /** A certificate and its private key, as PEM files. */
    public record Issued(Path certFile, Path keyFile) {
    }

    /** A certificate authority: its own certificate in {@link #certFile()}, and the key it signs with. */
    public static final class Authority {
        private final String name;
        private final KeyPair keys;
        private final Path dir;
        private final Path certFile;

        private Authority(String name, KeyPair keys, Path dir, Path certFile) {
            this.name = name;
            this.keys = keys;
            this.dir = dir;
            this.certFile = certFile;
        }

        /** The authority's certificate: what {@code tls-ca-cert-file} and {@code --cacert} take. */
        public Path certFile() {
            return certFile;
        }

        /**
         * A certificate for {@code commonName}, good for both ends of a connection (server and
         * client), written as {@code <authority>-<commonName>.crt} and {@code .key}.
         */
        public Issued issue(String commonName) {
            try {
                KeyPair leaf = keyPair();
                X509v3CertificateBuilder builder = builder(new X500Name("CN=" + name), commonName, leaf.getPublic());
                JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                                new GeneralName(GeneralName.dNSName, "localhost"),
                                new GeneralName(GeneralName.iPAddress, "127.0.0.1")}))
                        .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(leaf.getPublic()))
                        .addExtension(Extension.authorityKeyIdentifier, false,
                                extensions.createAuthorityKeyIdentifier(keys.getPublic()));
                X509CertificateHolder issued = builder.build(signer(keys));
                String file = name + "-" + commonName;
                Path cert = write(dir.resolve(file + ".crt"), "CERTIFICATE", issued.getEncoded());
                Path key = write(dir.resolve(file + ".key"), "PRIVATE KEY", leaf.getPrivate().getEncoded());
                return new Issued(cert, key);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException | OperatorCreationException e) {
                throw new IllegalStateException("cannot issue a certificate for " + commonName, e);
            }
        }
    }

    /** A new self-signed authority named {@code name}, its certificate written to {@code dir/<name>.crt}. */
    public static Authority authority(String name, Path dir) {
        try {
            Files.createDirectories(dir);
            KeyPair keys = keyPair();
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509CertificateHolder certificate = builder(new X500Name("CN=" + name), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()))
                    .build(signer(keys));
            Path certFile = write(dir.resolve(name + ".crt"), "CERTIFICATE", certificate.getEncoded());
            return new Authority(name, keys, dir, certFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make the authority " + name, e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, String commonName, PublicKey subjectKey) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))),
                new X500Name("CN=" + commonName), subjectKey);
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static org.bouncycastle.operator.ContentSigner signer(KeyPair keys) throws OperatorCreationException {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
    }

    private static Path write(Path file, String type, byte[] der) throws IOException {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        Files.writeString(file, "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n",
                StandardCharsets.US_ASCII);
        return file;
    }
}
