package dev.rmm.local;

import dev.rmm.contracts.audit.CheckpointKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Set;

/**
 * The local stack's checkpoint signing key (docs/security.md, "Signed checkpoints"): an Ed25519
 * pair made on the first start and kept under the stack's data directory, so that release-api signs
 * checkpoints from the first event and an auditor can run {@code deploy/local/replay verify
 * --public-key @.rmm/checkpoint-signing.pub} at once. The private key file is readable by its owner
 * only and reaches release-api alone (see {@link RmmStack#ONLY_FOR}); a user who sets {@code
 * RMM_CHECKPOINTS_PRIVATE_KEY} themselves keeps their own key.
 */
public final class CheckpointKeyFiles {

  public static final String PRIVATE_KEY_VARIABLE = "RMM_CHECKPOINTS_PRIVATE_KEY";
  public static final String PUBLIC_KEY_VARIABLE = "RMM_CHECKPOINTS_PUBLIC_KEY";

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  /** Base64 PKCS#8 private key and base64 X.509 public key, as release-api reads them. */
  public record Pair(String privateKey, String publicKey, Path publicKeyFile) {}

  private CheckpointKeyFiles() {}

  /** The pair kept in {@code home} ({@code checkpoint-signing.key} and {@code .pub}), made once. */
  public static Pair loadOrCreate(Path home) {
    Path key = home.resolve("checkpoint-signing.key");
    Path pub = home.resolve("checkpoint-signing.pub");
    try {
      if (Files.exists(key) && Files.exists(pub)) {
        Files.setPosixFilePermissions(key, OWNER_ONLY);
        return new Pair(read(key), read(pub), pub);
      }
      KeyPair pair = CheckpointKeys.generate();
      String privateKey = CheckpointKeys.encode(pair.getPrivate());
      String publicKey = CheckpointKeys.encode(pair.getPublic());
      Files.createDirectories(home);
      Files.deleteIfExists(key);
      Files.createFile(key, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      Files.writeString(key, privateKey + "\n", StandardCharsets.UTF_8);
      Files.writeString(pub, publicKey + "\n", StandardCharsets.UTF_8);
      return new Pair(privateKey, publicKey, pub);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read or create the checkpoint key in " + home, e);
    }
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8).trim();
  }
}
