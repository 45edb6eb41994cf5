package dev.rmm.gateway.live;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;

/**
 * Live cards that are not drawn yet because the read model has not reached their event (the
 * projector lags or is down). Drawing the older row would show an old status, and nothing would
 * draw the card again until the release's next event (for its last event: never). So the card waits
 * here and is tried again with a backoff (0.5 s doubling to {@link #MAX_BACKOFF}), and the event's
 * Kafka position is not committed while it waits ({@link #lowestOffset}): after a restart it is
 * read and drawn again.
 *
 * <p>Bounded: one entry per release, the newest version that is still to be shown (a card drawn at
 * version n shows every event up to n). One per consumer; its methods run on the consumer's thread.
 */
final class PendingCards {

  static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /** A card to draw once the read model holds at least {@code version} of the release. */
  record Pending(
      String releaseId,
      long version,
      String traceparent,
      TopicPartition partition,
      long offset,
      long dueAt,
      Duration backoff) {}

  private final Map<String, Pending> byRelease = new HashMap<>();

  /**
   * The card of {@code releaseId} must show {@code version}, read at {@code offset}; kept unless a
   * newer version already waits.
   */
  void waitFor(
      String releaseId,
      long version,
      String traceparent,
      TopicPartition partition,
      long offset,
      long now) {
    Pending known = byRelease.get(releaseId);
    if (known != null && known.version() >= version) {
      return;
    }
    byRelease.put(
        releaseId,
        new Pending(
            releaseId,
            version,
            traceparent,
            partition,
            offset,
            now + FIRST_BACKOFF.toNanos(),
            FIRST_BACKOFF));
  }

  /** The card of the release was drawn at {@code version}: what waited up to it is done. */
  void drawn(String releaseId, long version) {
    Pending known = byRelease.get(releaseId);
    if (known != null && known.version() <= version) {
      byRelease.remove(releaseId);
    }
  }

  /** The waiting cards whose next try is due at {@code now} ({@link System#nanoTime()}). */
  List<Pending> due(long now) {
    List<Pending> due = new ArrayList<>();
    for (Pending p : byRelease.values()) {
      if (now - p.dueAt() >= 0) {
        due.add(p);
      }
    }
    return due;
  }

  /** The read model is still behind for {@code p}: try again after a longer pause. */
  void later(Pending p, long now) {
    if (byRelease.get(p.releaseId()) != p) {
      return; // a newer version replaced it meanwhile
    }
    Duration next = p.backoff().multipliedBy(2);
    if (next.compareTo(MAX_BACKOFF) > 0) {
      next = MAX_BACKOFF;
    }
    byRelease.put(
        p.releaseId(),
        new Pending(
            p.releaseId(),
            p.version(),
            p.traceparent(),
            p.partition(),
            p.offset(),
            now + p.backoff().toNanos(),
            next));
  }

  /** The lowest offset of a waiting card on the partition: nothing from it on may be committed. */
  OptionalLong lowestOffset(TopicPartition tp) {
    return byRelease.values().stream()
        .filter(p -> p.partition().equals(tp))
        .mapToLong(Pending::offset)
        .min();
  }

  /** The partitions went to another member (or the consumer closed): it reads them again. */
  void revoked(Collection<TopicPartition> parts) {
    byRelease.values().removeIf(p -> parts.contains(p.partition()));
  }

  void clear() {
    byRelease.clear();
  }

  int size() {
    return byRelease.size();
  }
}
