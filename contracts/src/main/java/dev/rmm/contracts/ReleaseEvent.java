package dev.rmm.contracts;

import java.util.List;

/**
 * What happened to a release. Each event has a stable type name (never the Java class name) that is
 * part of the public contract; a changed shape gets a new version of the type name.
 */
public sealed interface ReleaseEvent {

  /** Stable wire type name, e.g. {@code release.created.v1}. */
  String type();

  /** The release was created in {@code initiated} with the policy in force at that moment. */
  record ReleaseCreated(ReleaseSpec spec, ApprovalPolicy policy) implements ReleaseEvent {
    public static final String TYPE = "release.created.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** The release moved from one status to another because a pipeline reported a step. */
  record StatusChanged(ReleaseStatus from, ReleaseStatus to, String detail)
      implements ReleaseEvent {
    public static final String TYPE = "release.status-changed.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** An approver's approval was counted. */
  record ApprovalGranted(long approverId, String approverName, int approvals, int quorum)
      implements ReleaseEvent {
    public static final String TYPE = "release.approval-granted.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * The last needed approval arrived: the release is {@code manual_test_passed}. Emitted exactly
   * once per release.
   */
  record ApprovalQuorumReached(List<Long> approverIds) implements ReleaseEvent {
    public static final String TYPE = "release.quorum-reached.v1";

    public ApprovalQuorumReached {
      approverIds = List.copyOf(approverIds);
    }

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** An approver rejected the release: it is {@code manual_test_failed}. */
  record ReleaseRejected(long rejectedBy, String rejectedByName, String reason)
      implements ReleaseEvent {
    public static final String TYPE = "release.rejected.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** An admin asked to roll the deployed release back: it is {@code production_rollback}. */
  record RollbackRequested(long requestedBy, String requestedByName, String targetTag)
      implements ReleaseEvent {
    public static final String TYPE = "release.rollback-requested.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** The release was cancelled. */
  record ReleaseCancelled(ReleaseStatus from, String reason) implements ReleaseEvent {
    public static final String TYPE = "release.cancelled.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * Somebody tried to act on the release and was refused (not allowed, stale card, wrong status).
   * It changes nothing; it is in the log for the audit trail.
   */
  record ActionRefused(String action, String reason, String detail) implements ReleaseEvent {
    public static final String TYPE = "release.action-refused.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * The orchestrator is about to dispatch the production workflow: its intent, recorded before it
   * calls GitHub, so that no other instance and no restart dispatches the release again.
   *
   * @param dispatchId the id the workflow receives as an input and can check against rmm
   */
  record DispatchStarted(String dispatchId, String repository, String workflow, String ref)
      implements ReleaseEvent {
    public static final String TYPE = "release.dispatch-started.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** GitHub accepted the dispatch of the production workflow. */
  record WorkflowDispatched(String dispatchId, int httpStatus, int attempts)
      implements ReleaseEvent {
    public static final String TYPE = "release.workflow-dispatched.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * The dispatch failed for good: GitHub refused it (a 4xx: bad token, missing workflow) or kept
   * failing through every retry. {@code detail} is GitHub's message.
   */
  record DispatchFailed(String dispatchId, int httpStatus, String detail, int attempts)
      implements ReleaseEvent {
    public static final String TYPE = "release.dispatch-failed.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * The orchestrator starts the rollback runbook of a release on a host: its intent, recorded
   * before the first command runs, so that no other instance and no restart runs it again.
   */
  record RunbookStarted(String runId, String host, String targetTag) implements ReleaseEvent {
    public static final String TYPE = "release.runbook-started.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * One step of a runbook ran: its command (secrets redacted), exit code ({@code -1}: it timed out
   * or the connection broke), duration and the last lines of its output (secrets redacted).
   */
  record RunbookStep(
      String runId,
      String step,
      String command,
      int exitCode,
      long durationMs,
      String outputTail,
      boolean ok)
      implements ReleaseEvent {
    public static final String TYPE = "release.runbook-step.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** The runbook ended; with a {@link StatusChanged} to rollback_done or rollback_failed. */
  record RunbookFinished(String runId, boolean ok, String failedStep, String detail)
      implements ReleaseEvent {
    public static final String TYPE = "release.runbook-finished.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** All event classes with their type names; the codec and the docs are built from this. */
  List<Class<? extends ReleaseEvent>> ALL =
      List.of(
          ReleaseCreated.class,
          StatusChanged.class,
          ApprovalGranted.class,
          ApprovalQuorumReached.class,
          ReleaseRejected.class,
          RollbackRequested.class,
          ReleaseCancelled.class,
          ActionRefused.class,
          DispatchStarted.class,
          WorkflowDispatched.class,
          DispatchFailed.class,
          RunbookStarted.class,
          RunbookStep.class,
          RunbookFinished.class);
}
