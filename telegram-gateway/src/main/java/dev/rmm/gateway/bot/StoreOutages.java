package dev.rmm.gateway.bot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How long each update has been handled again because a store it needs did not answer: an update is
 * retried while the outage is short (the user's press is then answered once the store is back), and
 * given up with a "temporarily unavailable, try again" answer once it has lasted {@code patience},
 * so a button does not spin for good. Remembers at most {@link #MAX} updates (the oldest first out:
 * such an update then gets a fresh patience), so an outage cannot fill the memory.
 */
final class StoreOutages {

  static final int MAX = 10_000;

  private final long patienceNanos;
  private final Map<Integer, Long> firstFailure =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Long> eldest) {
          return size() > MAX;
        }
      };

  StoreOutages(Duration patience) {
    this.patienceNanos = patience.toNanos();
  }

  Duration patience() {
    return Duration.ofNanos(patienceNanos);
  }

  /**
   * The update failed on an unavailable store at {@code now} ({@link System#nanoTime()}): whether
   * it is still worth handling again, rather than telling the user to try again.
   */
  synchronized boolean stillPatient(int updateId, long now) {
    Long first = firstFailure.putIfAbsent(updateId, now);
    return first == null || now - first < patienceNanos;
  }

  /** The update is done with (handled, or the user was told). */
  synchronized void forget(int updateId) {
    firstFailure.remove(updateId);
  }
}
