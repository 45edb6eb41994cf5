package dev.rmm.api.writer;

import java.util.TreeSet;

/**
 * The offsets of one commands-topic partition that are handed to its writer and not yet settled.
 * The group member commits {@link #committable()}: everything below the oldest unsettled command,
 * so a command is read again after a crash unless its events were valid in the log (or it was
 * answered without any). Thread-safe: the member adds, the writer settles.
 */
final class CommandOffsets {

  private final TreeSet<Long> open = new TreeSet<>();
  private long next = -1;

  synchronized void handed(long offset) {
    open.add(offset);
    next = Math.max(next, offset + 1);
  }

  synchronized void done(long offset) {
    open.remove(offset);
  }

  /** The offset to commit, or -1 when nothing was handed over yet. */
  synchronized long committable() {
    return open.isEmpty() ? next : open.first();
  }
}
