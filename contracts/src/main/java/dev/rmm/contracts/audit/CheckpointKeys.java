package dev.rmm.contracts.audit;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 keys for signed checkpoints, in the JDK (no extra library): the private key as base64
 * PKCS#8 (only release-api holds it, from the environment), the public key as base64 X.509 (what an
 * auditor needs, alone, to verify).
 */
public final class CheckpointKeys {

  private static final String ALGORITHM = "Ed25519";

  private CheckpointKeys() {}

  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every JDK since 15", e);
    }
  }

  public static PrivateKey privateKey(String base64Pkcs8) {
    try {
      return KeyFactory.getInstance(ALGORITHM)
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64Pkcs8.trim())));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the checkpoint private key must be an Ed25519 key, base64 PKCS#8", e);
    }
  }

  public static PublicKey publicKey(String base64X509) {
    try {
      return KeyFactory.getInstance(ALGORITHM)
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64X509.trim())));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the checkpoint public key must be an Ed25519 key, base64 X.509", e);
    }
  }

  /**
   * The public key, after checking that it belongs to the private one (a signature made with one
   * verifies with the other): a mismatched pair would sign checkpoints nobody can verify.
   */
  public static PublicKey matchingPublicKey(PrivateKey privateKey, String base64X509) {
    PublicKey publicKey = publicKey(base64X509);
    try {
      byte[] probe = "rmm-checkpoint-key-check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      java.security.Signature s = java.security.Signature.getInstance(ALGORITHM);
      s.initSign(privateKey);
      s.update(probe);
      byte[] signature = s.sign();
      s.initVerify(publicKey);
      s.update(probe);
      if (!s.verify(signature)) {
        throw new IllegalArgumentException(
            "the checkpoint public key does not belong to the private key");
      }
      return publicKey;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot check the checkpoint key pair", e);
    }
  }

  /** A key's standard encoding in base64 (PKCS#8 for a private key, X.509 for a public one). */
  public static String encode(java.security.Key key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  /** A short name of a public key: the first 16 hex digits of SHA-256 of its X.509 encoding. */
  public static String keyId(PublicKey key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
