package dev.rmm.contracts;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether a release of a service is frozen at a moment, and until when: the window arithmetic of
 * the policy's {@link FreezeWindow}s, pure (the orchestrator asks it with its own clock at dispatch
 * time). Windows that overlap or touch make one freeze, so "until" is the end of the merged freeze,
 * not of the first window that would end.
 */
public final class Freezes {

  /**
   * How far ahead a freeze is followed: weekly windows that together cover the whole week never
   * end, so such a freeze is reported as lasting this long (and is looked at again by then).
   */
  static final Duration HORIZON = Duration.ofDays(400);

  private Freezes() {}

  /**
   * A freeze in force.
   *
   * @param until when the merged freeze ends (exclusive): the release may be dispatched from then
   * @param reason the reason of the window in force now that lasts longest (of those that give
   *     one), or null
   */
  public record Frozen(Instant until, String reason) {}

  /** The freeze of {@code service} at {@code now} under {@code windows}, or empty when none. */
  public static Optional<Frozen> at(List<FreezeWindow> windows, String service, Instant now) {
    List<FreezeWindow> mine = windows.stream().filter(w -> w.covers(service)).toList();
    String reason = null;
    Instant reasonEnd = null;
    for (FreezeWindow w : mine) {
      FreezeWindow.Stretch s = w.stretchAt(now);
      if (s != null && w.reason() != null && (reasonEnd == null || s.end().isAfter(reasonEnd))) {
        reason = w.reason();
        reasonEnd = s.end();
      }
    }
    Instant until = null;
    Instant t = now;
    Instant horizon = now.plus(HORIZON);
    while (t.isBefore(horizon)) {
      Instant furthest = null;
      for (FreezeWindow w : mine) {
        FreezeWindow.Stretch s = w.stretchAt(t);
        if (s != null && (furthest == null || s.end().isAfter(furthest))) {
          furthest = s.end();
        }
      }
      if (furthest == null) {
        break;
      }
      // a window in force when this stretch ends (one that starts right then, too) carries the
      // freeze on
      until = furthest;
      t = until;
    }
    return until == null ? Optional.empty() : Optional.of(new Frozen(until, reason));
  }
}
