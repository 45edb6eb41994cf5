package dev.rmm.contracts;

/**
 * What someone asks rmm to do with one release. Commands are verbs; the decider answers each with
 * events or a rejection.
 */
public sealed interface ReleaseCommand {

  String releaseId();

  /** Who asks. */
  Actor actor();

  /** Create a release. Idempotent: the same service + tag + run id names the same release. */
  record CreateRelease(ReleaseSpec spec, ApprovalPolicy policy, Actor actor)
      implements ReleaseCommand {
    @Override
    public String releaseId() {
      return spec.releaseId();
    }
  }

  /** A pipeline (or the orchestrator) reports that the release reached a lifecycle step. */
  record ReportStep(String releaseId, ReleaseStatus status, String detail, Actor actor)
      implements ReleaseCommand {}

  /**
   * An approver approves a release in manual testing.
   *
   * @param seenVersion the release version shown to the user, or null when unknown
   */
  record Approve(String releaseId, long telegramUserId, Long seenVersion, Actor actor)
      implements ReleaseCommand {}

  /** An approver or admin rejects a release in manual testing, with a reason. */
  record Reject(String releaseId, long telegramUserId, String reason, Long seenVersion, Actor actor)
      implements ReleaseCommand {}

  /** An admin asks to roll a deployed release back to an earlier tag of the same service. */
  record RequestRollback(
      String releaseId, long telegramUserId, String targetTag, Long seenVersion, Actor actor)
      implements ReleaseCommand {}

  /**
   * The orchestrator claims the dispatch of a release that passed manual testing, before it calls
   * GitHub. Accepted once per release; the same dispatch id again is a harmless repeat.
   */
  record StartDispatch(
      String releaseId,
      String dispatchId,
      String repository,
      String workflow,
      String ref,
      Actor actor)
      implements ReleaseCommand {}

  /** The orchestrator records how the dispatch it started ended. */
  record RecordDispatch(
      String releaseId,
      String dispatchId,
      boolean dispatched,
      int httpStatus,
      String detail,
      int attempts,
      Actor actor)
      implements ReleaseCommand {}

  /** The orchestrator claims the rollback runbook of a release, before running anything. */
  record StartRunbook(String releaseId, String runId, String host, Actor actor)
      implements ReleaseCommand {}

  /** The orchestrator records one step of the runbook it started. */
  record RecordRunbookStep(
      String releaseId,
      String runId,
      String step,
      String command,
      int exitCode,
      long durationMs,
      String outputTail,
      boolean ok,
      Actor actor)
      implements ReleaseCommand {}

  /** The orchestrator ends the runbook; the release becomes rollback_done or rollback_failed. */
  record FinishRunbook(
      String releaseId, String runId, boolean ok, String failedStep, String detail, Actor actor)
      implements ReleaseCommand {}

  /** An admin (or a newer release of the same service) cancels a release still on its way. */
  record CancelRelease(String releaseId, String reason, Actor actor) implements ReleaseCommand {}
}
