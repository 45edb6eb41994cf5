package dev.rmm.orchestrator.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.orchestrator.Commands;
import dev.rmm.orchestrator.freeze.FreezeGate;
import dev.rmm.orchestrator.github.GitHubClient;
import dev.rmm.orchestrator.github.GitHubTarget;
import dev.rmm.orchestrator.github.RunLookup;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The production dispatch of releases that reached their approval quorum, exactly once:
 *
 * <ul>
 *   <li>quorum reached and no dispatch started: claim it ({@code StartDispatch} with a fresh id;
 *       release-api accepts one claim per release, so of two instances only one wins), call GitHub,
 *       record the outcome ({@code RecordDispatch});
 *   <li>a dispatch started but no outcome (the instance that claimed it stopped in between): look
 *       for the workflow run carrying its id for a while; record it if it exists, dispatch it once
 *       more with the same id (which the workflow checks against rmm before deploying) only if
 *       GitHub definitely lists none, and record it as unknown, for a person, if GitHub cannot be
 *       asked.
 *   <li>a failed dispatch an admin asked to retry ({@code release.dispatch-retry-requested.v1}
 *       opened it again, same id): settled like the claim without an outcome above, after the
 *       superseding guard ({@link RetryVerdict}) and the freeze windows (held like a first
 *       dispatch, {@link FreezeGate}); so a retry whose earlier attempt did reach GitHub records
 *       that run instead of starting a second one.
 * </ul>
 */
public final class Dispatches {

  private static final Logger LOG = Logger.getLogger(Dispatches.class);

  private final ServiceTargets targets;
  private final Workflows github;
  private final Predicate<ReleaseState> mayDispatch;
  private final Function<ReleaseState, RetryVerdict> mayRetry;

  /** Freeze windows: whether a dispatch is held now (issue 15 point 5). */
  private final FreezeGate freezes;

  /** Dispatch attempts recorded by this instance: the id with the retry it belongs to. */
  private final Set<String> finished = ConcurrentHashMap.newKeySet();

  /**
   * @param mayDispatch asked before a dispatch is claimed: false keeps the release from production
   *     (a newer release of its service was approved: it is superseded instead), or for now
   * @param mayRetry asked before a dispatch an admin asked to retry is settled
   */
  public Dispatches(
      ServiceTargets targets,
      Workflows github,
      Predicate<ReleaseState> mayDispatch,
      Function<ReleaseState, RetryVerdict> mayRetry) {
    this(targets, github, mayDispatch, mayRetry, FreezeGate.NONE);
  }

  /**
   * @param freezes asked after the superseding guard, before a dispatch is claimed: a release whose
   *     service is frozen is held (and the hold recorded), not dispatched
   */
  public Dispatches(
      ServiceTargets targets,
      Workflows github,
      Predicate<ReleaseState> mayDispatch,
      Function<ReleaseState, RetryVerdict> mayRetry,
      FreezeGate freezes) {
    this.targets = targets;
    this.github = github;
    this.mayDispatch = mayDispatch;
    this.mayRetry = mayRetry;
    this.freezes = freezes;
  }

  /** Whether the release has a dispatch to make or to settle. */
  public boolean due(ReleaseState s) {
    if (!s.exists()) {
      return false;
    }
    ReleaseState.Dispatch d = s.dispatch();
    if (d == null) {
      return s.status() == ReleaseStatus.MANUAL_TEST_PASSED;
    }
    return d.outcome() == null && !finished.contains(attempt(d.id(), d.retries()));
  }

  /** One attempt at a dispatch: the first (retries 0) or an admin's retry of it. */
  private static String attempt(String dispatchId, int retries) {
    return dispatchId + "#" + retries;
  }

  public void act(ReleaseState s, Commands commands) {
    ServiceTargets.Result t = targets.target(s.spec());
    GitHubTarget target = t.target();
    ReleaseState.Dispatch d = s.dispatch();
    if (d != null) {
      if (d.retries() > 0) {
        RetryVerdict verdict = mayRetry.apply(s);
        if (verdict instanceof RetryVerdict.Wait) {
          return;
        }
        if (verdict instanceof RetryVerdict.Refuse r) {
          LOG.infof("Release %s: dispatch %s %s", s.releaseId(), d.id(), r.why());
          record(s, d.id(), new GitHubClient.Outcome(false, 0, r.why(), 0), commands);
          return;
        }
        // held like the first dispatch: nothing goes to production during a freeze, and the
        // retry is sent (after looking for the earlier attempt's run) when the window ends
        if (freezes.holds(
            s, commands.actor(), (hold, commandId) -> held(commands, hold, commandId))) {
          return;
        }
        LOG.infof(
            "Release %s: an admin asked to retry dispatch %s (retry %d); looking for its run"
                + " first",
            s.releaseId(), d.id(), d.retries());
      }
      recover(s, d, t, commands);
      return;
    }
    if (!mayDispatch.test(s)) {
      return;
    }
    if (freezes.holds(s, commands.actor(), (hold, commandId) -> held(commands, hold, commandId))) {
      return; // looked at again when the freeze ends
    }
    String id = "d-" + UUID.randomUUID();
    Optional<JsonNode> claim =
        commands.decide(
            new ReleaseCommand.StartDispatch(
                s.releaseId(),
                id,
                target.repository(),
                target.workflow(),
                target.ref(),
                commands.actor()));
    if (claim.isEmpty()) {
      return;
    }
    if (!Commands.appended(claim.get(), ReleaseEvent.DispatchStarted.TYPE)) {
      LOG.infof(
          "Release %s: not dispatching, release-api said %s: %s",
          s.releaseId(),
          claim.get().path("reason").asText("nothing to do"),
          claim.get().path("detail").asText(""));
      return;
    }
    dispatch(s, id, t, commands);
  }

  /**
   * A dispatch started before a restart: record its run if GitHub lists one; send it again with its
   * id only if GitHub definitely lists none; if the runs cannot be listed, record that it is
   * unknown (a visible failure for a person to check) rather than risk a second production
   * workflow.
   */
  private void recover(
      ReleaseState s, ReleaseState.Dispatch d, ServiceTargets.Result t, Commands commands) {
    GitHubTarget target =
        new GitHubTarget(d.repository(), d.workflow(), d.ref(), t.target().credentials());
    if (t.missing() == null) {
      RunLookup settled = github.settle(target, d.id());
      if (settled instanceof RunLookup.Found f) {
        LOG.infof(
            "Release %s: dispatch %s had reached GitHub (run %d); recording it",
            s.releaseId(), d.id(), f.runId());
        record(s, d.id(), new GitHubClient.Outcome(true, 204, null, 0), commands);
        return;
      }
      if (settled instanceof RunLookup.Unknown u) {
        String detail = GitHubClient.unknown(target, d.id(), u);
        LOG.errorf("Release %s: %s", s.releaseId(), detail);
        record(s, d.id(), new GitHubClient.Outcome(false, u.status(), detail, 0), commands);
        return;
      }
      LOG.infof(
          "Release %s: dispatch %s has no workflow run on GitHub; dispatching it again",
          s.releaseId(), d.id());
    }
    dispatch(s, d.id(), new ServiceTargets.Result(target, t.missing()), commands);
  }

  /** Records a held dispatch; true when release-api appended it (now or for an earlier send). */
  private static boolean held(
      Commands commands, ReleaseCommand.HoldDispatch hold, String commandId) {
    Optional<JsonNode> answer = commands.decide(hold, commandId);
    if (answer.isEmpty()) {
      return false; // no answer in time: sent again on the next look
    }
    if (!"accepted".equals(answer.get().path("outcome").asText())) {
      LOG.infof(
          "Release %s: release-api did not record the held dispatch: %s",
          hold.releaseId(), answer.get().path("detail").asText(""));
      return false;
    }
    return true;
  }

  private void dispatch(ReleaseState s, String id, ServiceTargets.Result t, Commands commands) {
    GitHubClient.Outcome outcome =
        t.missing() != null
            ? new GitHubClient.Outcome(false, 0, t.missing(), 0)
            : github.dispatch(t.target(), targets.inputs(approved(s), s.releaseId(), id));
    LOG.infof(
        "Release %s: dispatch %s of %s %s (%d attempts)",
        s.releaseId(),
        id,
        t.target(),
        outcome.dispatched() ? "accepted by GitHub" : "failed: " + outcome.detail(),
        outcome.attempts());
    record(s, id, outcome, commands);
  }

  private void record(ReleaseState s, String id, GitHubClient.Outcome o, Commands commands) {
    if (commands
        .decide(
            new ReleaseCommand.RecordDispatch(
                s.releaseId(),
                id,
                o.dispatched(),
                o.status(),
                o.detail(),
                o.attempts(),
                commands.actor()))
        .isPresent()) {
      finished.add(attempt(id, s.dispatch() == null ? 0 : s.dispatch().retries()));
    }
  }

  /**
   * The release as it was approved: the commit its approvals are bound to (the one a moved tag was
   * reported with before the quorum, else the created one), which the workflow checks out.
   */
  static ReleaseSpec approved(ReleaseState s) {
    return s.commitSha() == null ? s.spec() : s.spec().withCommitSha(s.commitSha());
  }
}
