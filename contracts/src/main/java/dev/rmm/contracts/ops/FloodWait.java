package dev.rmm.contracts.ops;

import java.time.Duration;

/**
 * An API's rate limit, shared by everything that calls it with one credential: Telegram's flood
 * control (a 429's {@code retry_after}) and GitHub's rate limits (a 429's or 403's {@code
 * Retry-After}) say when the client may call again, not when this one call may be repeated. So once
 * any call got one, every call (Telegram's getUpdates included) waits until it has elapsed; calls
 * that went on meanwhile would only prolong the limit (Telegram lengthens it for bots that keep
 * calling, GitHub may ban an integration that keeps calling).
 *
 * <p>A call waiting out one deadline must look again when it wakes: a call already on its way when
 * the first 429 came may have got its own 429 meanwhile and set a later one. And it must sleep the
 * whole wait: {@code Thread.sleep(d.toMillis())} sleeps up to a millisecond less (F13 in
 * docs/reliability.md: the chaos verdict saw an edit reach Telegram 2.995-3 s after a 429 with
 * retry_after 3).
 */
public final class FloodWait {

  /**
   * How much longer than {@code retry_after} calls are held: Telegram counts the wait in whole
   * seconds from its own answer, so a call released on the exact boundary may be early by a
   * rounding or the time the answer took to arrive.
   */
  public static final Duration MARGIN = Duration.ofMillis(100);

  private long until = System.nanoTime(); // guarded by this

  /**
   * Telegram asked to wait this long from now (a later deadline already set stays); calls are held
   * {@link #MARGIN} longer.
   *
   * @return the deadline now in force, for {@link #remainingBeyond}
   */
  public synchronized long hold(Duration retryAfter) {
    long end = System.nanoTime() + retryAfter.plus(MARGIN).toNanos();
    if (end - until > 0) {
      until = end;
    }
    return until;
  }

  /** The deadline in force (a {@link System#nanoTime()}), as {@link #hold} returns it. */
  public synchronized long deadline() {
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

  /**
   * Sleeps at least {@code d} (never the millisecond less that {@code Thread.sleep(d.toMillis())}
   * may sleep).
   */
  public static void sleep(Duration d) throws InterruptedException {
    long nanos = d.toNanos();
    if (nanos > 0) {
      Thread.sleep((nanos + 999_999) / 1_000_000);
    }
  }
}
