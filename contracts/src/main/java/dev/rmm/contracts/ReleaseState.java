package dev.rmm.contracts;

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
    Long rollbackRequestedBy) {

  /** One counted approval. */
  public record Approval(long approverId, String approverName) {}

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

  public ReleaseState {
    Objects.requireNonNull(releaseId, "releaseId");
    approvals = List.copyOf(approvals);
  }

  /** The state of a release that has no events yet. */
  public static ReleaseState none(String releaseId) {
    return new ReleaseState(
        releaseId, null, null, null, 0, 0, List.of(), null, null, null, null, null);
  }

  public boolean exists() {
    return status != null;
  }

  public boolean hasApproved(long approverId) {
    return approvals.stream().anyMatch(a -> a.approverId() == approverId);
  }

  ReleaseState created(ReleaseSpec spec, ApprovalPolicy policy) {
    return new ReleaseState(
        releaseId,
        spec,
        policy,
        ReleaseStatus.INITIATED,
        version + 1,
        version + 1,
        approvals,
        null,
        null,
        null,
        null,
        null);
  }

  ReleaseState movedTo(ReleaseStatus next) {
    return new ReleaseState(
        releaseId,
        spec,
        policy,
        next,
        version + 1,
        version + 1,
        approvals,
        rejectionReason,
        rollbackToTag,
        dispatch,
        runbook,
        rollbackRequestedBy);
  }

  ReleaseState approvedBy(long approverId, String name) {
    List<Approval> more = new ArrayList<>(approvals);
    more.add(new Approval(approverId, name));
    return new ReleaseState(
        releaseId,
        spec,
        policy,
        status,
        version + 1,
        statusVersion,
        more,
        rejectionReason,
        rollbackToTag,
        dispatch,
        runbook,
        rollbackRequestedBy);
  }

  ReleaseState rejected(String reason) {
    return new ReleaseState(
        releaseId,
        spec,
        policy,
        ReleaseStatus.MANUAL_TEST_FAILED,
        version + 1,
        version + 1,
        approvals,
        reason,
        rollbackToTag,
        dispatch,
        runbook,
        rollbackRequestedBy);
  }

  ReleaseState rollbackRequested(long requestedBy, String targetTag) {
    return new ReleaseState(
        releaseId,
        spec,
        policy,
        ReleaseStatus.PRODUCTION_ROLLBACK,
        version + 1,
        version + 1,
        approvals,
        rejectionReason,
        targetTag,
        dispatch,
        runbook,
        requestedBy);
  }

  ReleaseState unchanged() {
    return new ReleaseState(
        releaseId,
        spec,
        policy,
        status,
        version + 1,
        statusVersion,
        approvals,
        rejectionReason,
        rollbackToTag,
        dispatch,
        runbook,
        rollbackRequestedBy);
  }

  ReleaseState withDispatch(Dispatch d) {
    return new ReleaseState(
        releaseId,
        spec,
        policy,
        status,
        version + 1,
        statusVersion,
        approvals,
        rejectionReason,
        rollbackToTag,
        d,
        runbook,
        rollbackRequestedBy);
  }

  ReleaseState withRunbook(Runbook r) {
    return new ReleaseState(
        releaseId,
        spec,
        policy,
        status,
        version + 1,
        statusVersion,
        approvals,
        rejectionReason,
        rollbackToTag,
        dispatch,
        r,
        rollbackRequestedBy);
  }
}
