package dev.rmm.orchestrator.supersede;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.orchestrator.Commands;
import dev.rmm.orchestrator.dispatch.RetryVerdict;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Supersedes older releases of a service once a newer one reached manual testing, and keeps the
 * orchestrator from dispatching a release older than the newest approved one of its service
 * (docs/events.md, "Superseding"). It asks release-api with {@code release.supersede.v1}, the
 * command id naming both releases, so every orchestrator instance may ask and one event results.
 */
public final class Supersedes {

  private static final Logger LOG = Logger.getLogger(Supersedes.class);

  /**
   * Commands of the reaction in flight at once. One at a time, a wave of supersedes (a benchmark's
   * thousands of services, or a recheck after a restart) took minutes, each command waiting for its
   * round trip through two topics; a window lets release-api decide them in batches while the bound
   * keeps a wave from crowding out other commands.
   */
  static final int IN_FLIGHT = 128;

  private final ServiceReleases view;
  private final ServiceFollower follower;
  private final Supplier<Commands> commands;
  private final ExecutorService worker;
  private final Duration readWait;

  /** Command ids sent and answered, or on their way: not sent again by the reaction. */
  private final Set<String> asked = ConcurrentHashMap.newKeySet();

  private final Semaphore window = new Semaphore(IN_FLIGHT);

  /**
   * @param worker runs the reaction's commands, off the log's thread
   * @param readWait how long the dispatch guard waits for the log to be read up to its end
   */
  public Supersedes(
      ServiceReleases view,
      ServiceFollower follower,
      Supplier<Commands> commands,
      ExecutorService worker,
      Duration readWait) {
    this.view = view;
    this.follower = follower;
    this.commands = commands;
    this.worker = worker;
    this.readWait = readWait;
  }

  /** Supersedes what became due in {@code services} through the events read since the last look. */
  public void consider(Collection<String> services) {
    for (String service : services) {
      ask(view.newlyDue(service));
    }
  }

  /** Looks at every release of every service again (the orchestrator's recheck). */
  public void recheck() {
    for (String service : view.services()) {
      ask(view.due(service));
    }
  }

  private void ask(List<ServiceReleases.Due> dues) {
    for (ServiceReleases.Due due : dues) {
      if (asked.add(due.commandId())) {
        worker.execute(() -> sendInWindow(due));
      }
    }
  }

  /**
   * Whether the release may be dispatched now. It may not while the log is not read up to the end
   * it has now (a newer release may be in it: ask again later), nor when a newer release of its
   * service reached stage or was approved: then it is superseded instead, the event naming the
   * newer release as the reason.
   */
  public boolean mayDispatch(ReleaseState s) {
    if (!follower.awaitRead(readWait)) {
      LOG.infof(
          "Release %s: not dispatching yet: the log is not read up to its end within %s, so a"
              + " newer release of %s may be unseen; looked at again later",
          s.releaseId(), readWait, s.spec().service());
      return false;
    }
    Optional<ServiceReleases.Line> newer = view.newerThan(s.releaseId());
    if (newer.isEmpty()) {
      return true;
    }
    ServiceReleases.Line n = newer.get();
    LOG.infof(
        "Release %s (%s %s): not dispatching: release %s (%s) of the service is newer and %s;"
            + " superseding the older one instead",
        s.releaseId(), s.spec().service(), s.spec().tag(), n.releaseId(), n.tag(), n.status());
    ServiceReleases.Line older =
        new ServiceReleases.Line(
            s.releaseId(), s.spec().service(), s.spec().tag(), null, s.status(), null, false);
    ServiceReleases.Due due = new ServiceReleases.Due(older, n);
    asked.add(due.commandId());
    send(due);
    return false;
  }

  /**
   * Whether a dispatch an admin asked to retry may go out: like {@link #mayDispatch}, but the
   * release cannot be superseded any more (its dispatch was claimed), so a newer approved release
   * of its service makes the retry fail, naming it, instead.
   */
  public RetryVerdict retryVerdict(ReleaseState s) {
    if (!follower.awaitRead(readWait)) {
      LOG.infof(
          "Release %s: not retrying its dispatch yet: the log is not read up to its end within %s;"
              + " looked at again later",
          s.releaseId(), readWait);
      return new RetryVerdict.Wait();
    }
    return view.newerThan(s.releaseId())
        .<RetryVerdict>map(
            n ->
                new RetryVerdict.Refuse(
                    "not dispatched again: release "
                        + n.tag()
                        + " of "
                        + s.spec().service()
                        + " is newer and "
                        + n.status()
                        + " ("
                        + n.releaseId()
                        + "); an older release never deploys over it"))
        .orElseGet(RetryVerdict.Go::new);
  }

  /** Sends on the worker's thread once the window has room; the answer frees the room. */
  private void sendInWindow(ServiceReleases.Due due) {
    Commands c = commands.get();
    if (c == null) {
      asked.remove(due.commandId()); // no channel yet: the next recheck asks again
      return;
    }
    try {
      window.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      asked.remove(due.commandId());
      return;
    }
    c.decideAsync(command(due, c), due.commandId())
        .whenComplete(
            (answer, e) -> {
              window.release();
              if (answer == null || answer.isEmpty()) {
                asked.remove(due.commandId()); // no answer: the next recheck asks again
              } else {
                logAnswer(due, answer.get());
              }
            });
  }

  private Optional<JsonNode> send(ServiceReleases.Due due) {
    Commands c = commands.get();
    if (c == null) {
      return Optional.empty();
    }
    Optional<JsonNode> answer = c.decide(command(due, c), due.commandId());
    answer.ifPresent(a -> logAnswer(due, a));
    return answer;
  }

  private static ReleaseCommand.SupersedeRelease command(ServiceReleases.Due due, Commands c) {
    ServiceReleases.Line newer = due.newer();
    return new ReleaseCommand.SupersedeRelease(
        due.older().releaseId(), newer.releaseId(), newer.tag(), c.actor());
  }

  private static void logAnswer(ServiceReleases.Due due, JsonNode a) {
    ServiceReleases.Line older = due.older();
    ServiceReleases.Line newer = due.newer();
    LOG.infof(
        "Release %s (%s %s) superseded by %s (%s): release-api said %s%s",
        older.releaseId(),
        older.service(),
        older.tag(),
        newer.releaseId(),
        newer.tag(),
        a.path("outcome").asText(),
        a.hasNonNull("detail") ? " (" + a.path("detail").asText() + ")" : "");
  }
}
