package dev.rmm.api.console;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks the data of the Telegram Login Widget exactly as Telegram documents it
 * (https://core.telegram.org/widgets/login#checking-authorization): the data-check-string is every
 * received field except {@code hash}, as {@code key=value}, sorted by key and joined by line feeds;
 * the hash must be its HMAC-SHA256, hex, keyed by the SHA-256 of the bot's token; and {@code
 * auth_date} must not be older than a day. Pure: the caller gives the clock.
 */
public final class TelegramLogin {

  /** The oldest login data accepted. */
  public static final Duration MAX_AGE = Duration.ofDays(1);

  /** A login from the future beyond this is refused too (the clocks of two hosts differ a bit). */
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  /** The outcome: the Telegram user, or why the data is refused (never repeating the hash). */
  public record Result(Long userId, String name, String refusal) {

    static Result refused(String why) {
      return new Result(null, null, why);
    }

    public boolean accepted() {
      return refusal == null;
    }
  }

  private final byte[] secretKey;

  /** A checker for the widget of the bot whose token is {@code botToken}. */
  public TelegramLogin(String botToken) {
    this.secretKey = sha256(botToken.getBytes(StandardCharsets.UTF_8));
  }

  /** The data-check-string of {@code fields} (every one but {@code hash}, sorted by key). */
  public static String dataCheckString(Map<String, String> fields) {
    return new TreeMap<>(fields)
        .entrySet().stream()
            .filter(e -> !"hash".equals(e.getKey()))
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("\n"));
  }

  /** Checks the fields the widget sent (its query parameters), at {@code now}. */
  public Result check(Map<String, String> fields, Instant now) {
    String hash = fields.get("hash");
    if (hash == null || !hash.matches("[0-9a-fA-F]{64}")) {
      return Result.refused("the login data carries no valid hash");
    }
    byte[] expected = hmac(dataCheckString(fields));
    if (!MessageDigest.isEqual(expected, HexFormat.of().parseHex(hash.toLowerCase()))) {
      return Result.refused("the login data is not signed by this bot (hash mismatch)");
    }
    long authDate;
    long id;
    try {
      authDate = Long.parseLong(fields.getOrDefault("auth_date", ""));
      id = Long.parseLong(fields.getOrDefault("id", ""));
    } catch (NumberFormatException e) {
      return Result.refused("the login data has no numeric id or auth_date");
    }
    Instant at = Instant.ofEpochSecond(authDate);
    if (at.isBefore(now.minus(MAX_AGE))) {
      return Result.refused("the login data is older than a day; log in again");
    }
    if (at.isAfter(now.plus(CLOCK_SKEW))) {
      return Result.refused("the login data is dated in the future");
    }
    String name =
        (fields.getOrDefault("first_name", "") + " " + fields.getOrDefault("last_name", ""))
            .strip();
    return new Result(id, name.isEmpty() ? fields.getOrDefault("username", "") : name, null);
  }

  private byte[] hmac(String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secretKey, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every Java runtime has HmacSHA256", e);
    }
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
