package dev.rmm.contracts.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The running digest of one partition's valid events, in partition order: it starts at {@link
 * EventChain#GENESIS} and each valid event (by the chain rule) moves it to {@code SHA-256(digest +
 * ":" + the event's hash)}. A signed {@link Checkpoint} fixes it at an offset, so every event below
 * that offset, across all releases of the partition, chains to the signature: an event changed,
 * removed, reordered or added later below it changes the digest. Cheap to keep: one hash per event.
 */
public final class PartitionDigest {

  private String value = EventChain.GENESIS;
  private long events;

  /** The digest of no events. */
  public PartitionDigest() {}

  /** A digest already moved over {@code events} events to {@code value} (a writer's snapshot). */
  public PartitionDigest(String value, long events) {
    if (!value.matches("[0-9a-f]{64}") || events < 0) {
      throw new IllegalArgumentException("not a partition digest: " + value + " over " + events);
    }
    this.value = value;
    this.events = events;
  }

  /** Moves the digest over the next valid event, given its hash ({@link EventChain#hash}). */
  public void add(String eventHash) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(value.getBytes(StandardCharsets.US_ASCII));
      sha.update((byte) ':');
      sha.update(eventHash.getBytes(StandardCharsets.US_ASCII));
      value = HexFormat.of().formatHex(sha.digest());
      events++;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** The digest, 64 hexadecimal digits. */
  public String value() {
    return value;
  }

  /** How many valid events it covers. */
  public long events() {
    return events;
  }
}
