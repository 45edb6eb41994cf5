package dev.rmm.api.console;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The console's login state, kept by the browser in a cookie that this service signs (HMAC-SHA256):
 * {@code v1.<subject>.<name>.<expires>.<csrf>.<mac>}, the texts base64url. Nothing is stored
 * server-side, so any instance with the same key accepts it; a cookie changed in any byte, signed
 * by another key or past its expiry is not a session. Pure: the caller gives the clock.
 *
 * <p>{@code csrf} is a random value per session that every POST form of the console carries: a page
 * of another site can make the browser send the cookie (were SameSite ever relaxed) but cannot read
 * the value.
 */
public final class SessionCookies {

  /** The cookie's name. */
  public static final String NAME = "rmm_console";

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * A verified session.
   *
   * @param subject who logged in: {@code telegram:<id>} or {@code token:admin}
   * @param name how the pages greet them
   * @param expires when the session ends
   * @param csrf the value the session's POST forms carry
   */
  public record Session(String subject, String name, Instant expires, String csrf) {}

  private final byte[] key;

  /** Signs with {@code key} (at least 32 bytes). */
  public SessionCookies(byte[] key) {
    if (key.length < 32) {
      throw new IllegalArgumentException(
          "the console's cookie key (RMM_CONSOLE_COOKIE_KEY) needs at least 32 bytes, base64");
    }
    this.key = key.clone();
  }

  /** A fresh random key, for a service whose sessions may end with its restart. */
  public static byte[] randomKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  /** A random value for a form's CSRF field. */
  public static String randomToken() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return B64.encodeToString(b);
  }

  /** The cookie value of a new session of {@code subject} that ends at {@code expires}. */
  public String issue(String subject, String name, Instant expires) {
    String body =
        "v1."
            + text(subject)
            + "."
            + text(name)
            + "."
            + expires.getEpochSecond()
            + "."
            + randomToken();
    return body + "." + mac(body);
  }

  /** The session in {@code value}, or empty when it is not one this key signed, or expired. */
  public Optional<Session> verify(String value, Instant now) {
    if (value == null) {
      return Optional.empty();
    }
    int last = value.lastIndexOf('.');
    if (last < 0) {
      return Optional.empty();
    }
    String body = value.substring(0, last);
    // the signature exactly as issued (lower-case hex), compared in constant time
    if (!MessageDigest.isEqual(
        value.substring(last + 1).getBytes(StandardCharsets.US_ASCII),
        mac(body).getBytes(StandardCharsets.US_ASCII))) {
      return Optional.empty();
    }
    String[] parts = body.split("\\.", -1);
    if (parts.length != 5 || !"v1".equals(parts[0])) {
      return Optional.empty();
    }
    try {
      Instant expires = Instant.ofEpochSecond(Long.parseLong(parts[3]));
      if (!now.isBefore(expires)) {
        return Optional.empty();
      }
      return Optional.of(new Session(untext(parts[1]), untext(parts[2]), expires, parts[4]));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The signature of a value of {@code purpose} (a login form's CSRF pair), hex. */
  public String sign(String purpose, String value) {
    return mac(purpose + ":" + value);
  }

  /** Whether {@code signature} is {@link #sign}'s of {@code purpose} and {@code value}. */
  public boolean signed(String purpose, String value, String signature) {
    if (value == null || signature == null) {
      return false;
    }
    return MessageDigest.isEqual(
        sign(purpose, value).getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII));
  }

  private String mac(String body) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(m.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every Java runtime has HmacSHA256", e);
    }
  }

  private static String text(String s) {
    return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String untext(String s) {
    return new String(B64D.decode(s), StandardCharsets.UTF_8);
  }
}
