package dev.rmm.contracts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The accepted bearer tokens, as every rmm service reads them from {@code RMM_API_TOKENS}:
 * comma-separated {@code owner/repo=sha256:<hex>}, where the hex is the SHA-256 of the token's
 * UTF-8 bytes and {@code *} instead of a repository means an admin token (every repository). Only
 * hashes are ever configured; a presented token is hashed and compared in constant time.
 */
public final class ApiTokens {

  /** The repository of an admin token. */
  public static final String ANY_REPOSITORY = "*";

  private record Entry(String repository, byte[] sha256) {}

  private final List<Entry> entries;

  private ApiTokens(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Reads the configured value.
   *
   * @throws IllegalArgumentException for an entry of the wrong shape (the message never shows it)
   */
  public static ApiTokens parse(String spec) {
    List<Entry> out = new ArrayList<>();
    for (String item : (spec == null ? "" : spec).split(",")) {
      if (item.isBlank()) {
        continue;
      }
      int eq = item.lastIndexOf('=');
      String hash = eq < 0 ? "" : item.substring(eq + 1).trim();
      if (eq < 1 || !hash.toLowerCase(Locale.ROOT).startsWith("sha256:")) {
        throw new IllegalArgumentException(
            "RMM_API_TOKENS entries must look like owner/repo=sha256:<hex>; an entry has another"
                + " shape (its value is not shown)");
      }
      try {
        out.add(
            new Entry(item.substring(0, eq).trim(), HexFormat.of().parseHex(hash.substring(7))));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "RMM_API_TOKENS has an entry whose hash is not hexadecimal (its value is not shown)");
      }
    }
    return new ApiTokens(out);
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * The repository a presented {@code Authorization} header's bearer token belongs to ({@link
   * #ANY_REPOSITORY} for an admin token), or empty when it is missing or not accepted.
   */
  public Optional<String> repositoryOf(String authorizationHeader) {
    if (authorizationHeader == null
        || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    byte[] presented = sha256(authorizationHeader.substring(7).trim());
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.sha256(), presented)) {
        return Optional.of(e.repository());
      }
    }
    return Optional.empty();
  }

  /** The configuration entry that accepts {@code token} for {@code repository}. */
  public static String entry(String repository, String token) {
    return repository + "=sha256:" + HexFormat.of().formatHex(sha256(token));
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
