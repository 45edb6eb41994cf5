package dev.rmm.e2e;

import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.FakeGitHub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Telegram and GitHub failing at once for a while under load (issue 14, fault 5). The fake Bot API
 * answers every method, {@code getUpdates} included, in turns of {@link #PHASE}: 429 "Too Many
 * Requests: retry after N" with {@code parameters.retry_after} N, as Telegram's flood control does,
 * then 502 Bad Gateway. The fake GitHub answers dispatches 503, 429 with {@code Retry-After: N},
 * and 502 after creating the run (GitHub has it, the client cannot know), and fails every run
 * lookup (503, a dropped connection, 429 with {@code Retry-After}). Meanwhile failures are raised
 * on the alerts topic, some of them again and again ({@link AlertProbe}).
 *
 * <p>The {@link Verdict} then checks no duplicate dispatch (a dispatch answered 502 after its run
 * was created counts as one), every release deployed or rolled back, every press answered. This
 * fault adds, in {@link #afterwards()}: the clients honoured every wait they were asked for (no
 * request to Telegram, of any method, and none to GitHub, arrived while a {@code retry_after} /
 * {@code Retry-After} the fake gave had not elapsed), their request rate during the outage stayed
 * bounded (no hot retry loop on the 5xx), and the alerts chat shows each raised failure once,
 * edited with its count.
 */
final class ExternalApisOutage implements Fault {

  /** How long the fake asks to wait, in seconds, when it answers 429. */
  static final int RETRY_AFTER = 3;

  /** The longest wait for the load to be in full swing before the outage starts. */
  static final Duration WARM_UP = Duration.ofSeconds(60);

  /** Telegram alternates 429 and 5xx in turns this long. */
  static final Duration PHASE = Duration.ofSeconds(5);

  /**
   * Requests already on their way when a 429 was answered may arrive shortly after it: only those
   * arriving later than this after the fake sent the 429 break the wait.
   */
  static final Duration GRACE = Duration.ofSeconds(1);

  /**
   * How long Telegram takes the answer to a press (it does not say; a few seconds to about 15 are
   * reported). The fake refuses later answers, as Telegram does, so a press whose answer the outage
   * delayed past it must show its outcome otherwise (F13 in docs/reliability.md).
   */
  static final Duration CALLBACK_QUERY_LIFETIME = Duration.ofSeconds(15);

  /**
   * The most requests per second, on average over the outage, that a client backing off may make: a
   * handful of concurrent callers doubling their pauses stay far below; a loop retrying at once
   * makes hundreds.
   */
  static final double MAX_TELEGRAM_RATE = 10;

  static final double MAX_GITHUB_RATE = 2;

  private final StackExtension stack;
  private final Duration outage;
  private AlertProbe probe;
  private long began;
  private long ended;
  private int trial;

  ExternalApisOutage(StackExtension stack, Duration outage) {
    this.stack = stack;
    this.outage = outage;
  }

  @Override
  public String name() {
    return "Telegram 429/5xx and GitHub 5xx/429 with failing run lookups for "
        + outage.toSeconds()
        + " s";
  }

  @Override
  public List<String> inject(ChaosLoad load) throws InterruptedException {
    trial = load.trial();
    probe = new AlertProbe(stack.kafkaBootstrapServers());
    ChaosStack.BOT_API.callbackQueryLifetime(CALLBACK_QUERY_LIFETIME);
    awaitWarm(load);
    began = System.nanoTime();
    FakeGitHub.outage(outage, RETRY_AFTER);
    long end = began + outage.toNanos();
    for (int k = 0; began + k * PHASE.toNanos() < end; k++) {
      long phaseEnd = Math.min(end, began + (k + 1) * PHASE.toNanos());
      Duration phase = Duration.ofNanos(Math.max(0, phaseEnd - System.nanoTime()));
      boolean limited = k % 2 == 0;
      if (limited) {
        ChaosStack.BOT_API.failDuring(
            phase, 429, "Too Many Requests: retry after " + RETRY_AFTER, RETRY_AFTER);
      } else {
        ChaosStack.BOT_API.failDuring(phase, 502, "Bad Gateway", null);
      }
      probe.raise(trial, "repeated");
      if (limited) {
        probe.raise(trial, "once-" + k);
      }
      long left = phaseEnd - System.nanoTime();
      if (left > 0) {
        Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
      }
    }
    ended = System.nanoTime();
    return List.of();
  }

  /**
   * The outage must catch approvals on their way to GitHub and presses on their way to the gateway:
   * it starts once the load's first release of the trial was dispatched (a loaded machine may take
   * a while to get there), or after {@link #WARM_UP} at the latest.
   */
  private static void awaitWarm(ChaosLoad load) throws InterruptedException {
    long deadline = System.nanoTime() + WARM_UP.toNanos();
    int before = FakeGitHub.dispatchesTaken().size();
    while (System.nanoTime() < deadline) {
      boolean dispatched = FakeGitHub.dispatchesTaken().size() > before;
      if (dispatched && !load.presses().isEmpty()) {
        return;
      }
      Thread.sleep(200);
    }
  }

  @Override
  public List<String> afterwards() {
    ChaosStack.BOT_API.callbackQueryLifetime(null); // the other faults' trials as before
    List<String> failed = new ArrayList<>();
    telegramWaited(failed);
    gitHubWaited(failed);
    failed.addAll(probe.check());
    return failed;
  }

  private void telegramWaited(List<String> failed) {
    List<FakeBotApi.Arrival> all = ChaosStack.BOT_API.arrivals();
    long during = all.stream().filter(a -> a.atNanos() >= began && a.atNanos() < ended).count();
    long limited = all.stream().filter(a -> a.atNanos() >= began && a.errorCode() == 429).count();
    long failedRequests =
        all.stream().filter(a -> a.atNanos() >= began && a.errorCode() >= 500).count();
    double rate = during / seconds(ended - began);
    System.out.printf(
        "[chaos] telegram during the outage: %d requests (%.1f/s), %d answered 429, %d 5xx%n",
        during, rate, limited, failedRequests);
    if (rate > MAX_TELEGRAM_RATE) {
      failed.add(
          String.format(
              "backoff: Telegram got %d requests in the %.0f s outage (%.1f/s; at most %.0f/s"
                  + " expected of a client that backs off)",
              during, seconds(ended - began), rate, MAX_TELEGRAM_RATE));
    }
    List<String> early = new ArrayList<>();
    for (FakeBotApi.Arrival limitedAt : all) {
      if (limitedAt.errorCode() != 429 || limitedAt.retryAfter() == null) {
        continue;
      }
      // the bot can only have read the retry_after once the fake had sent it: a request arriving
      // before then, or within GRACE after (sent before the bot read the 429), was on its way
      long sent = limitedAt.answeredNanos();
      long from = sent + GRACE.toNanos();
      long until = sent + Duration.ofSeconds(limitedAt.retryAfter()).toNanos();
      for (FakeBotApi.Arrival a : all) {
        if (a.atNanos() > from && a.atNanos() < until) {
          early.add(
              String.format(
                  "%s %.3f s after a 429 (retry_after %d) to %s was sent",
                  a.method(),
                  seconds(a.atNanos() - sent),
                  limitedAt.retryAfter(),
                  limitedAt.method()));
        }
      }
    }
    if (!early.isEmpty()) {
      failed.add(
          "backoff: "
              + early.size()
              + " requests reached Telegram while a retry_after it gave had not elapsed, e.g. "
              + String.join("; ", early.subList(0, Math.min(5, early.size()))));
    }
  }

  private void gitHubWaited(List<String> failed) {
    List<FakeGitHub.Arrival> all = FakeGitHub.arrivals();
    long during = all.stream().filter(a -> a.atNanos() >= began && a.atNanos() < ended).count();
    long dispatches =
        all.stream()
            .filter(a -> a.atNanos() >= began && a.atNanos() < ended)
            .filter(a -> a.kind().equals("dispatch"))
            .count();
    double rate = during / seconds(ended - began);
    System.out.printf(
        "[chaos] github during the outage: %d requests (%.2f/s), %d of them dispatches%n",
        during, rate, dispatches);
    if (rate > MAX_GITHUB_RATE) {
      failed.add(
          String.format(
              "backoff: GitHub got %d requests in the %.0f s outage (%.2f/s; at most %.0f/s"
                  + " expected)",
              during, seconds(ended - began), rate, MAX_GITHUB_RATE));
    }
    List<String> early = new ArrayList<>();
    for (FakeGitHub.Arrival limitedAt : all) {
      if (limitedAt.status() != 429 || limitedAt.retryAfter() == null) {
        continue;
      }
      long from = limitedAt.atNanos() + GRACE.toNanos();
      long until = limitedAt.atNanos() + Duration.ofSeconds(limitedAt.retryAfter()).toNanos();
      for (FakeGitHub.Arrival a : all) {
        if (a.atNanos() > from && a.atNanos() < until) {
          early.add(
              String.format(
                  "%s %.2f s after a 429 (Retry-After %d) to a %s",
                  a.kind(),
                  seconds(a.atNanos() - limitedAt.atNanos()),
                  limitedAt.retryAfter(),
                  limitedAt.kind()));
        }
      }
    }
    if (!early.isEmpty()) {
      failed.add(
          "backoff: "
              + early.size()
              + " requests reached GitHub while a Retry-After it gave had not elapsed, e.g. "
              + String.join("; ", early.subList(0, Math.min(5, early.size()))));
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
