package dev.rmm.local;

import dev.rmm.contracts.ApiTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * Bearer tokens for release-api. release-api is given only hashes, in {@code RMM_API_TOKENS}:
 * comma-separated {@code repository=sha256:<lowercase hex SHA-256 of the token's UTF-8 bytes>},
 * where the repository {@code *} stands for any repository.
 */
public final class ApiToken {

  public static final String TOKENS_VARIABLE = "RMM_API_TOKENS";

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private ApiToken() {}

  /**
   * The developer's token kept in {@code file} (mode 600), generated on first use: 32 random bytes,
   * base64url without padding.
   */
  public static String loadOrCreate(Path file) {
    try {
      if (Files.exists(file)) {
        Files.setPosixFilePermissions(file, OWNER_ONLY);
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Files.createDirectories(file.getParent());
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("could not read or create the API token in " + file, e);
    }
  }

  /** The {@code RMM_API_TOKENS} value that accepts {@code token} for every repository. */
  public static String forAnyRepository(String token) {
    return ApiTokens.entry(ApiTokens.ANY_REPOSITORY, token);
  }
}
