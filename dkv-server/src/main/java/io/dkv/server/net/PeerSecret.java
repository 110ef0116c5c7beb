package io.dkv.server.net;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The {@code cluster-secret} both ends of an internode connection prove they know, without
 * sending it: a challenge and response with HMAC-SHA256 over fresh nonces from both sides.
 *
 * <p>The exchange: the connecting node sends its {@link Handshake} with a nonce; the
 * accepting node answers with a {@link Challenge}: its own nonce and its proof over both
 * nonces; the connecting node checks that proof and answers with its own {@link Proof}
 * before any request. Each proof names its role and covers both node ids, the cluster
 * fingerprint and both nonces, so neither can be replayed on another connection, towards
 * another node, or in the other direction. It authenticates peers; it does not encrypt or
 * protect the frames that follow (that is what {@code tls-cluster} is for).
 *
 * <p>Thread-safe.
 */
public final class PeerSecret {

    static final int NONCE_BYTES = 16;
    /** Shorter secrets are refused: the proofs are only as strong as the secret. */
    public static final int MIN_SECRET_CHARS = 16;

    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] ACCEPTOR = "dkv-peer-acceptor-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTOR = "dkv-peer-connector-v1".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private PeerSecret(byte[] secret) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
    }

    /** The secret's proofs; {@code null} for no secret (null or empty). */
    public static PeerSecret of(String secret) {
        if (secret == null || secret.isEmpty()) {
            return null;
        }
        if (secret.length() < MIN_SECRET_CHARS) {
            throw new IllegalArgumentException("cluster-secret has " + secret.length() + " characters; use at least "
                    + MIN_SECRET_CHARS + " (e.g. the output of: openssl rand -hex 32)");
        }
        return new PeerSecret(secret.getBytes(StandardCharsets.UTF_8));
    }

    byte[] newNonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        return nonce;
    }

    /** What the accepting node sends to show it knows the secret. */
    byte[] acceptorProof(Handshake handshake, byte[] acceptorNonce) {
        return proof(ACCEPTOR, handshake, acceptorNonce);
    }

    /** What the connecting node sends to show it knows the secret. */
    byte[] connectorProof(Handshake handshake, byte[] acceptorNonce) {
        return proof(CONNECTOR, handshake, acceptorNonce);
    }

    /** Compares in constant time, so the comparison reveals nothing about the expected proof. */
    static boolean matches(byte[] expected, byte[] received) {
        return received != null && MessageDigest.isEqual(expected, received);
    }

    private byte[] proof(byte[] role, Handshake handshake, byte[] acceptorNonce) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(role);
            mac.update(ByteBuffer.allocate(16)
                    .putInt(handshake.from().number())
                    .putInt(handshake.to().number())
                    .putLong(handshake.clusterFingerprint())
                    .array());
            mac.update(handshake.nonce());
            mac.update(acceptorNonce);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
