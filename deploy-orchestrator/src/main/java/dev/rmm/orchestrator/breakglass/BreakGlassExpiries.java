package dev.rmm.orchestrator.breakglass;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.orchestrator.Commands;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Has a break-glass request that nobody confirmed recorded as expired when its window ends (its
 * {@code expires_at}: the policy's break-glass window after the request, 15 minutes unless the
 * policy sets another) (issue 15 point 4), also when nobody touches the release again. Before, the
 * lapse was recorded only at the release's next force or confirmation, so a request left alone had
 * no {@code release.break-glass-expired.v1}: no alert, and the metric counted it only at a later
 * event.
 *
 * <p>Why the orchestrator and not release-api's writer: the writer decides requests and answers
 * them (the log is its lock, and ownership of a partition moves between its instances), and nothing
 * in it acts on time; the orchestrator already is the part of rmm that acts when time passes (the
 * end of a freeze, a dispatch left unsettled), follows its partitions of the log, and records what
 * it sees through commands with ids derived from their subject, so a redelivery or a second owner
 * has one effect. The decider still judges: release-api appends the expiry only if the request has
 * lapsed at its own decision time and is still the one the timer was set for.
 *
 * <p>Each request read from the log (also when the log is read again after a restart or a
 * rebalance) sets a timer at its {@code expires_at}; when it fires the release is looked at as the
 * log shows it then, and nothing is sent for a request that was confirmed, recorded expired or
 * replaced, or for a release no longer held here (settled, or its partition moved: the new owner
 * reads the request again).
 */
public final class BreakGlassExpiries {

  private static final Logger LOG = Logger.getLogger(BreakGlassExpiries.class);

  /**
   * How often one request's expiry is sent before the orchestrator gives up on it (and says so).
   */
  static final int MAX_ATTEMPTS = 10;

  private final Function<String, ReleaseState> states;
  private final Supplier<Commands> commands;
  private final BooleanSupplier caughtUp;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final ExecutorService worker;
  private final Duration retry;

  /**
   * @param states the release as this instance's share of the log shows it, or null
   * @param commands the channel to release-api (null before the start)
   * @param caughtUp whether the assigned partitions were read to their ends (before that a
   *     confirmation later in the log may not be folded yet)
   * @param clock what "now" is for a request's end
   * @param timer where the timers wait
   * @param worker where an expiry is sent (it waits for release-api's answer)
   * @param retry how long to wait before looking again when the answer did not record it
   */
  public BreakGlassExpiries(
      Function<String, ReleaseState> states,
      Supplier<Commands> commands,
      BooleanSupplier caughtUp,
      Clock clock,
      ScheduledExecutorService timer,
      ExecutorService worker,
      Duration retry) {
    this.states = states;
    this.commands = commands;
    this.caughtUp = caughtUp;
    this.clock = clock;
    this.timer = timer;
    this.worker = worker;
    this.retry = retry;
  }

  /** A break-glass request of the release was read from the log: look at it when it ends. */
  public void requested(String releaseId, Instant expiresAt) {
    if (expiresAt == null) {
      return; // decided without a time: it never lapses (how requests were decided in tests)
    }
    later(releaseId, expiresAt, untilEnd(expiresAt), 1);
  }

  private void later(String releaseId, Instant expiresAt, Duration delay, int attempt) {
    try {
      timer.schedule(
          () -> worker.execute(() -> look(releaseId, expiresAt, attempt)),
          delay.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debugf("Not looking at the break-glass of release %s again: stopping", releaseId);
    }
  }

  /** How long until the request's end, and a little more (the timer must not fire early). */
  private Duration untilEnd(Instant expiresAt) {
    Duration d = Duration.between(clock.instant(), expiresAt);
    return (d.isNegative() ? Duration.ZERO : d).plusMillis(50);
  }

  /** Sends the expiry if the request is still waiting past its end; else nothing or later. */
  void look(String releaseId, Instant expiresAt, int attempt) {
    ReleaseState s = states.apply(releaseId);
    ReleaseState.BreakGlass b = s == null ? null : s.breakGlass();
    if (b == null || b.confirmed() || b.expired() || !expiresAt.equals(b.expiresAt())) {
      return;
    }
    Commands channel = commands.get();
    if (!caughtUp.getAsBoolean() || channel == null || !b.lapsedAt(clock.instant())) {
      later(releaseId, expiresAt, max(retry, untilEnd(expiresAt)), attempt);
      return;
    }
    Optional<JsonNode> answer =
        channel.decide(
            new ReleaseCommand.ExpireBreakGlass(releaseId, expiresAt, channel.actor()),
            "expire-break-glass-" + releaseId + "-" + expiresAt.toEpochMilli());
    if (answer.isPresent() && "accepted".equals(answer.get().path("outcome").asText())) {
      if (Commands.appended(answer.get(), ReleaseEvent.BreakGlassExpired.TYPE)) {
        LOG.infof(
            "Release %s: the break-glass of %s lapsed unconfirmed at %s; recorded",
            releaseId, b.requestedByName(), expiresAt);
      }
      return; // or it was confirmed or recorded meanwhile: nothing to do
    }
    String why =
        answer
            .map(a -> a.path("reason").asText("?") + ": " + a.path("detail").asText(""))
            .orElse("no answer from release-api");
    if (attempt >= MAX_ATTEMPTS) {
      LOG.errorf(
          "Release %s: the lapsed break-glass of %s (ended %s) was not recorded after %d attempts"
              + " (%s); its next force or confirmation records it",
          releaseId, b.requestedByName(), expiresAt, attempt, why);
      return;
    }
    LOG.infof(
        "Release %s: the lapsed break-glass was not recorded (%s); trying again in %s",
        releaseId, why, retry);
    later(releaseId, expiresAt, retry, attempt + 1);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
