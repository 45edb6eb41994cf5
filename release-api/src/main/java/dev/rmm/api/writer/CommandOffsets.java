package dev.rmm.api.writer;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The offsets of one partition's commands (one partition of each commands topic) that are handed to
 * its writer and not yet settled. The group member commits {@link #committable}: everything below
 * the oldest unsettled command of each topic, so a command is read again after a crash unless its
 * events were valid in the log (or it was answered without any). Thread-safe: the member adds, the
 * writer settles.
 */
final class CommandOffsets {

  private final Map<String, Topic> topics = new HashMap<>();

  synchronized void handed(WriteRequest.KafkaSource source) {
    topics.computeIfAbsent(source.partition().topic(), t -> new Topic()).handed(source.offset());
  }

  synchronized void done(WriteRequest.KafkaSource source) {
    Topic t = topics.get(source.partition().topic());
    if (t != null) {
      t.open.remove(source.offset());
    }
  }

  /** The offset of {@code topic} to commit, or -1 when nothing of it was handed over yet. */
  synchronized long committable(String topic) {
    Topic t = topics.get(topic);
    return t == null ? -1 : t.open.isEmpty() ? t.next : t.open.first();
  }

  private static final class Topic {
    private final TreeSet<Long> open = new TreeSet<>();
    private long next = -1;

    void handed(long offset) {
      open.add(offset);
      next = Math.max(next, offset + 1);
    }
  }
}
