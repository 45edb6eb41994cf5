package dev.rmm.gateway.card;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Callback data of the card's action buttons: {@code <action>:<release id>:<version>:<mac>}. The
 * version is the one the card showed (a stale card is recognised), and the MAC (HMAC-SHA256 with a
 * secret of the gateway, cut to 8 bytes) means a client cannot forge it into another release,
 * action or version. At most 64 bytes, Telegram's limit.
 */
public final class CallbackData {

  /** Telegram's limit for callback_data, in bytes. */
  public static final int MAX_BYTES = 64;

  /** What a button asks for. */
  public enum Action {
    APPROVE("ap"),
    REJECT("rj"),
    ROLLBACK("rb"),
    CANCEL_RELEASE("cn"),
    REFRESH("rf"),
    /** An admin retries a failed production dispatch. */
    RETRY_DISPATCH("rd"),
    /** An admin forces the approval of a release in manual testing (break-glass). */
    BREAK_GLASS("bg"),
    /** A second admin confirms a break-glass. */
    CONFIRM_BREAK_GLASS("bc"),
    /**
     * A second admin confirms a break-glass from its announcement in the alerts chat: the same
     * command as {@link #CONFIRM_BREAK_GLASS}, but the pressed message is the alert, which keeps
     * its text (it loses the button) instead of becoming the card.
     */
    CONFIRM_BREAK_GLASS_ALERT("ba");

    final String code;

    Action(String code) {
      this.code = code;
    }

    static Optional<Action> of(String code) {
      for (Action a : values()) {
        if (a.code.equals(code)) {
          return Optional.of(a);
        }
      }
      return Optional.empty();
    }
  }

  /** A verified button press. */
  public record Press(Action action, String releaseId, long version) {}

  private final byte[] secret;

  public CallbackData(byte[] secret) {
    if (secret.length < 16) {
      throw new IllegalArgumentException("the callback secret needs at least 16 bytes");
    }
    this.secret = secret.clone();
  }

  /**
   * @throws IllegalArgumentException when the release id holds a ':' (it could not be read back) or
   *     the data would exceed 64 bytes
   */
  public String encode(Action action, String releaseId, long version) {
    if (releaseId.indexOf(':') >= 0) {
      throw new IllegalArgumentException("a release id with ':' cannot be callback data");
    }
    String body = action.code + ":" + releaseId + ":" + version;
    String data = body + ":" + mac(body);
    if (data.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new IllegalArgumentException("callback data over 64 bytes: " + data);
    }
    return data;
  }

  /**
   * Any other button's data, signed the same way as a card action: {@code <data>:<mac>}, so that no
   * button the bot shows can be forged (menus, list pagers, confirmations).
   *
   * @throws IllegalArgumentException when the signed data would exceed 64 bytes
   */
  public String sign(String data) {
    String signed = data + ":" + mac(data);
    if (signed.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new IllegalArgumentException("signed callback data over 64 bytes: " + signed);
    }
    return signed;
  }

  /**
   * The data a signed button carries ({@link #sign}; for a card action the part before its MAC), or
   * empty when the data is not one of ours.
   */
  public Optional<String> open(String signed) {
    if (signed == null) {
      return Optional.empty();
    }
    int cut = signed.lastIndexOf(':');
    if (cut < 0) {
      return Optional.empty();
    }
    String body = signed.substring(0, cut);
    byte[] expected = mac(body).getBytes(StandardCharsets.US_ASCII);
    byte[] given = signed.substring(cut + 1).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, given) ? Optional.of(body) : Optional.empty();
  }

  /** The press, or empty when the data is not one of ours (forged, altered, or malformed). */
  public Optional<Press> decode(String data) {
    if (data == null) {
      return Optional.empty();
    }
    int cut = data.lastIndexOf(':');
    if (cut < 0) {
      return Optional.empty();
    }
    String body = data.substring(0, cut);
    byte[] expected = mac(body).getBytes(StandardCharsets.US_ASCII);
    byte[] given = data.substring(cut + 1).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      return Optional.empty();
    }
    String[] parts = body.split(":");
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      return Action.of(parts[0]).map(a -> new Press(a, parts[1], Long.parseLong(parts[2])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private String mac(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] full = mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
      byte[] cut = new byte[8];
      System.arraycopy(full, 0, cut, 0, cut.length);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(cut);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
