package dev.rmm.gateway.telegram;

import java.time.Duration;

/**
 * Telegram's flood control, shared by everything that calls the Bot API with one token: a 429's
 * {@code retry_after} says when the bot may call again, not when this one call may be repeated. So
 * once any call got one, every call (getUpdates included) waits until it has elapsed; calls that
 * went on meanwhile would only prolong the limit (Telegram lengthens it for bots that keep
 * calling).
 */
public final class FloodWait {

  private long until = System.nanoTime(); // guarded by this

  /**
   * Telegram asked to wait this long from now (a later deadline already set stays).
   *
   * @return the deadline now in force, for {@link #remainingBeyond}
   */
  public synchronized long hold(Duration retryAfter) {
    long end = System.nanoTime() + retryAfter.toNanos();
    if (end - until > 0) {
      until = end;
    }
    return until;
  }

  /** How long a call must still wait before it may go; zero when it may go now. */
  public synchronized Duration remaining() {
    long left = until - System.nanoTime();
    return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
  }

  /**
   * As {@link #remaining()}, but zero when the deadline in force is {@code waitedOut}, one the
   * caller set with {@link #hold} and has already waited out itself.
   */
  public synchronized Duration remainingBeyond(long waitedOut) {
    return until == waitedOut ? Duration.ZERO : remaining();
  }
}
