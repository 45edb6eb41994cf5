package dev.rmm.contracts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The decider's view of one release, rebuilt by folding its events with {@link
 * ReleaseDecider#evolve}. Immutable; every transition returns a new state.
 *
 * @param releaseId the release
 * @param spec what the pipeline said at creation; null while the release does not exist
 * @param policy the approval policy recorded at creation
 * @param status the current status; null while the release does not exist
 * @param version sequence number of the last event (0: no events)
 * @param statusVersion sequence number of the event that set the current status
 * @param approvals approvals counted so far, in the order they arrived
 * @param rejectionReason why the release was rejected, if it was
 * @param rollbackToTag the tag an admin asked to roll back to, if any
 * @param dispatch the production workflow's dispatch, once the orchestrator started it
 * @param runbook the rollback runbook, once the orchestrator started it
 * @param rollbackRequestedBy the admin who asked for the rollback, if any (a repeat of their
 *     request is recognised by it)
 * @param commitSha the commit the release's tag points at as last reported by the pipeline (the
 *     spec's until the tag moves); null while the release does not exist
 * @param breakGlass the last break-glass an admin asked for on this release (issue 15 point 4), or
 *     null when none was
 * @param stagedCommit the commit of the last stage run ({@code stage_building}): the spec's, or
 *     after a re-run for a moved tag the commit the tag was moved to; null before the stage ran.
 *     When it differs from {@code commitSha}, the tag moved after the stage ran and the commit now
 *     tagged was never deployed to stage.
 */
public record ReleaseState(
    String releaseId,
    ReleaseSpec spec,
    ApprovalPolicy policy,
    ReleaseStatus status,
    long version,
    long statusVersion,
    List<Approval> approvals,
    String rejectionReason,
    String rollbackToTag,
    Dispatch dispatch,
    Runbook runbook,
    Long rollbackRequestedBy,
    String commitSha,
    BreakGlass breakGlass,
    String stagedCommit) {

  /**
   * One approval.
   *
   * @param commitSha the commit it was given for; null on approvals recorded before approvals were
   *     bound to the artifact
   * @param at when it was given (its event's time); null when folded without the event's envelope,
   *     and then it never expires
   */
  public record Approval(long approverId, String approverName, String commitSha, Instant at) {

    public Approval(long approverId, String approverName) {
      this(approverId, approverName, null, null);
    }
  }

  /**
   * The rollback runbook.
   *
   * @param finished whether it ended (then the status says how)
   */
  public record Runbook(String runId, String host, String targetTag, int steps, boolean finished) {
    Runbook stepped() {
      return new Runbook(runId, host, targetTag, steps + 1, finished);
    }

    Runbook ended() {
      return new Runbook(runId, host, targetTag, steps, true);
    }
  }

  /**
   * The dispatch of the production workflow.
   *
   * @param outcome null while under way, then {@code dispatched} or {@code failed}
   * @param retries how many times an admin asked for it to be tried again after it failed
   */
  public record Dispatch(
      String id,
      String repository,
      String workflow,
      String ref,
      String outcome,
      int httpStatus,
      String detail,
      int retries) {

    public static final String DISPATCHED = "dispatched";
    public static final String FAILED = "failed";

    Dispatch ended(String outcome, int httpStatus, String detail) {
      return new Dispatch(id, repository, workflow, ref, outcome, httpStatus, detail, retries);
    }

    /** Open again after it failed: an admin asked for a retry. */
    Dispatch reopened() {
      return new Dispatch(id, repository, workflow, ref, null, 0, null, retries + 1);
    }

    /** Whether it failed and nothing since asked for it again. */
    public boolean failed() {
      return FAILED.equals(outcome);
    }
  }

  /**
   * A break-glass: an admin forced the approval, and a second admin must confirm it in time.
   *
   * @param requestedBy the admin who forced it
   * @param expiresAt when it lapses unconfirmed; null: never (decided without a time)
   * @param confirmedBy the second admin, once confirmed; null before
   * @param expired whether a {@code release.break-glass-expired} event recorded its lapse
   */
  public record BreakGlass(
      long requestedBy,
      String requestedByName,
      String reason,
      String commitSha,
      Instant expiresAt,
      Long confirmedBy,
      String confirmedByName,
      boolean expired) {

    /** Whether it was confirmed by a second admin. */
    public boolean confirmed() {
      return confirmedBy != null;
    }

    /**
     * Whether it lapsed by {@code now}: recorded as expired, or unconfirmed past its {@code
     * expiresAt} (a null {@code now} judges by the record alone).
     */
    public boolean lapsedAt(Instant now) {
      return expired
          || (!confirmed() && now != null && expiresAt != null && !now.isBefore(expiresAt));
    }

    /** Whether it waits for a second admin at {@code now}. */
    public boolean awaitsConfirmationAt(Instant now) {
      return !confirmed() && !lapsedAt(now);
    }

    BreakGlass confirmedBy(long admin, String name) {
      return new BreakGlass(
          requestedBy, requestedByName, reason, commitSha, expiresAt, admin, name, expired);
    }

    BreakGlass lapsed() {
      return new BreakGlass(
          requestedBy,
          requestedByName,
          reason,
          commitSha,
          expiresAt,
          confirmedBy,
          confirmedByName,
          true);
    }
  }

  public ReleaseState {
    Objects.requireNonNull(releaseId, "releaseId");
    approvals = List.copyOf(approvals);
  }

  /** The state of a release that has no events yet. */
  public static ReleaseState none(String releaseId) {
    return new ReleaseState(
        releaseId, null, null, null, 0, 0, List.of(), null, null, null, null, null, null, null,
        null);
  }

  public boolean exists() {
    return status != null;
  }

  /**
   * Whether the release's approval was forced by a break-glass that a second admin confirmed: such
   * a release passed manual testing without the approvers' quorum, and only it may pass a freeze.
   */
  public boolean breakGlassConfirmed() {
    return breakGlass != null && breakGlass.confirmed();
  }

  public boolean hasApproved(long approverId) {
    return approvals.stream().anyMatch(a -> a.approverId() == approverId);
  }

  ReleaseState created(ReleaseSpec spec, ApprovalPolicy policy) {
    Next n = next().status(ReleaseStatus.INITIATED);
    n.spec = spec;
    n.policy = policy;
    n.rejectionReason = null;
    n.rollbackToTag = null;
    n.dispatch = null;
    n.runbook = null;
    n.rollbackRequestedBy = null;
    n.commitSha = spec.commitSha();
    n.stagedCommit = null;
    return n.state();
  }

  ReleaseState movedTo(ReleaseStatus next) {
    Next n = next().status(next);
    // a stage run deploys the commit the tag points at now (a re-run after a moved tag, too)
    n.stagedCommit = next == ReleaseStatus.STAGE_BUILDING ? commitSha : stagedCommit;
    return n.state();
  }

  ReleaseState approvedBy(long approverId, String name) {
    return approvedBy(new Approval(approverId, name));
  }

  /** An approval; a fresh one by an approver whose earlier approval expired takes its place. */
  ReleaseState approvedBy(Approval approval) {
    List<Approval> more = new ArrayList<>(approvals);
    more.removeIf(a -> a.approverId() == approval.approverId());
    more.add(approval);
    Next n = next();
    n.approvals = more;
    return n.state();
  }

  /**
   * The tag moved to another commit: the approvals are void, and the card a user acts on must show
   * the new commit (the status version moves, so an older card's approval is refused as stale).
   */
  ReleaseState approvalsVoided(String newCommit) {
    Next n = next().status(status);
    n.approvals = List.of();
    n.commitSha = newCommit;
    // reported while the stage is building: the stage run under way builds the new commit
    n.stagedCommit = status == ReleaseStatus.STAGE_BUILDING ? newCommit : stagedCommit;
    return n.state();
  }

  ReleaseState rejected(String reason) {
    Next n = next().status(ReleaseStatus.MANUAL_TEST_FAILED);
    n.rejectionReason = reason;
    return n.state();
  }

  ReleaseState rollbackRequested(long requestedBy, String targetTag) {
    Next n = next().status(ReleaseStatus.PRODUCTION_ROLLBACK);
    n.rollbackToTag = targetTag;
    n.rollbackRequestedBy = requestedBy;
    return n.state();
  }

  ReleaseState unchanged() {
    return next().state();
  }

  ReleaseState withDispatch(Dispatch d) {
    Next n = next();
    n.dispatch = d;
    return n.state();
  }

  ReleaseState withRunbook(Runbook r) {
    Next n = next();
    n.runbook = r;
    return n.state();
  }

  /** A break-glass was asked for, confirmed or found lapsed; the status does not change. */
  ReleaseState withBreakGlass(BreakGlass b) {
    Next n = next();
    n.breakGlass = b;
    return n.state();
  }

  /** This state one event later: each transition above sets only the fields its event changes. */
  private Next next() {
    return new Next(this);
  }

  /**
   * A copy of a state with its version moved on, for one transition to change. The fifteen fields
   * were passed by position in every transition, which hid what each one changed and made every new
   * field a change of all of them.
   */
  private static final class Next {
    private final String releaseId;
    private ReleaseSpec spec;
    private ApprovalPolicy policy;
    private ReleaseStatus status;
    private final long version;
    private long statusVersion;
    private List<Approval> approvals;
    private String rejectionReason;
    private String rollbackToTag;
    private Dispatch dispatch;
    private Runbook runbook;
    private Long rollbackRequestedBy;
    private String commitSha;
    private BreakGlass breakGlass;
    private String stagedCommit;

    private Next(ReleaseState s) {
      releaseId = s.releaseId;
      spec = s.spec;
      policy = s.policy;
      status = s.status;
      version = s.version + 1;
      statusVersion = s.statusVersion;
      approvals = s.approvals;
      rejectionReason = s.rejectionReason;
      rollbackToTag = s.rollbackToTag;
      dispatch = s.dispatch;
      runbook = s.runbook;
      rollbackRequestedBy = s.rollbackRequestedBy;
      commitSha = s.commitSha;
      breakGlass = s.breakGlass;
      stagedCommit = s.stagedCommit;
    }

    /**
     * The release shows a new status, or its card must be drawn again: the status version moves to
     * this version (a card drawn before it is stale).
     */
    private Next status(ReleaseStatus next) {
      status = next;
      statusVersion = version;
      return this;
    }

    private ReleaseState state() {
      return new ReleaseState(
          releaseId,
          spec,
          policy,
          status,
          version,
          statusVersion,
          approvals,
          rejectionReason,
          rollbackToTag,
          dispatch,
          runbook,
          rollbackRequestedBy,
          commitSha,
          breakGlass,
          stagedCommit);
    }
  }
}
