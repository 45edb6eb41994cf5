package dev.rmm.contracts.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash chain of a release's events. Each event carries, in its {@code prevhash} attribute, the
 * SHA-256 of the previous event of its release exactly as that event is stored in the log (its
 * Kafka record value); the first event carries {@link #GENESIS}. Changing, removing or reordering
 * any stored event therefore breaks the link of the event after it.
 */
public final class EventChain {

  /** The {@code prevhash} of a release's first event. */
  public static final String GENESIS = "0".repeat(64);

  private EventChain() {}

  /** The SHA-256 (lower-case hex) of one event as stored in the log. */
  public static String hash(byte[] storedEvent) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(storedEvent));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
