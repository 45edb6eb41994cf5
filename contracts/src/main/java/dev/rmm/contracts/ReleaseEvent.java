package dev.rmm.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

  /**
   * An approver's approval was counted.
   *
   * @param approvals the approvals that count after this one (only those of people who are
   *     approvers under the policy in force)
   * @param policyVersion the version of the policy in force that decided it (the sequence number of
   *     its {@link PolicyChanged} event on the policy topic); absent on events decided before
   *     policy versions were recorded
   * @param tag the tag the approver approved; absent on events written before approvals were bound
   *     to the artifact
   * @param commitSha the commit the tag pointed at when it was approved (the last one the pipeline
   *     reported); absent on events written before approvals were bound to the artifact
   */
  record ApprovalGranted(
      long approverId,
      String approverName,
      int approvals,
      int quorum,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long policyVersion,
      @JsonInclude(JsonInclude.Include.NON_NULL) String tag,
      @JsonInclude(JsonInclude.Include.NON_NULL) String commitSha)
      implements ReleaseEvent {
    public static final String TYPE = "release.approval-granted.v1";

    public ApprovalGranted(long approverId, String approverName, int approvals, int quorum) {
      this(approverId, approverName, approvals, quorum, null);
    }

    public ApprovalGranted(
        long approverId, String approverName, int approvals, int quorum, Long policyVersion) {
      this(approverId, approverName, approvals, quorum, policyVersion, null, null);
    }

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * The last needed approval arrived: the release is {@code manual_test_passed}. Emitted exactly
   * once per release.
   */
  record ApprovalQuorumReached(
      List<Long> approverIds, @JsonInclude(JsonInclude.Include.NON_NULL) Long policyVersion)
      implements ReleaseEvent {
    public static final String TYPE = "release.quorum-reached.v1";

    public ApprovalQuorumReached {
      approverIds = List.copyOf(approverIds);
    }

    public ApprovalQuorumReached(List<Long> approverIds) {
      this(approverIds, null);
    }

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * The pipeline reported another commit for the release's tag (the tag was moved) before the
   * approval quorum: every approval given so far was for the old commit, so none counts any more
   * and the quorum must be met again on the new one. The release keeps its status. Also written
   * when no approval was given yet, so that the log says which commit later approvals are for.
   *
   * @param tag the release's tag
   * @param fromCommit the commit the approvals were given for
   * @param toCommit the commit the pipeline reports now
   * @param approverIds the approvers whose approvals are void (in the order they approved)
   * @param reason what reported the new commit (a step report or a repeated create), for people
   */
  record ApprovalsVoided(
      String tag, String fromCommit, String toCommit, List<Long> approverIds, String reason)
      implements ReleaseEvent {
    public static final String TYPE = "release.approvals-voided.v1";

    public ApprovalsVoided {
      approverIds = approverIds == null ? List.of() : List.copyOf(approverIds);
    }

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** An approver rejected the release: it is {@code manual_test_failed}. */
  record ReleaseRejected(
      long rejectedBy,
      String rejectedByName,
      String reason,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long policyVersion)
      implements ReleaseEvent {
    public static final String TYPE = "release.rejected.v1";

    public ReleaseRejected(long rejectedBy, String rejectedByName, String reason) {
      this(rejectedBy, rejectedByName, reason, null);
    }

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** An admin asked to roll the deployed release back: it is {@code production_rollback}. */
  record RollbackRequested(
      long requestedBy,
      String requestedByName,
      String targetTag,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long policyVersion)
      implements ReleaseEvent {
    public static final String TYPE = "release.rollback-requested.v1";

    public RollbackRequested(long requestedBy, String requestedByName, String targetTag) {
      this(requestedBy, requestedByName, targetTag, null);
    }

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** The release was cancelled. */
  record ReleaseCancelled(
      ReleaseStatus from,
      String reason,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long policyVersion)
      implements ReleaseEvent {
    public static final String TYPE = "release.cancelled.v1";

    public ReleaseCancelled(ReleaseStatus from, String reason) {
      this(from, reason, null);
    }

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * A newer release of the same service reached manual testing (or went further toward production)
   * before this one reached production: this one is {@code cancelled} and will never be deployed.
   *
   * @param from the status it had
   * @param byReleaseId the newer release's id
   * @param byTag the newer release's tag
   */
  record ReleaseSuperseded(ReleaseStatus from, String byReleaseId, String byTag)
      implements ReleaseEvent {
    public static final String TYPE = "release.superseded.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * Somebody tried to act on the release and was refused (not allowed, stale card, wrong status).
   * It changes nothing; it is in the log for the audit trail.
   */
  record ActionRefused(
      String action,
      String reason,
      String detail,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long policyVersion)
      implements ReleaseEvent {
    public static final String TYPE = "release.action-refused.v1";

    public ActionRefused(String action, String reason, String detail) {
      this(action, reason, detail, null);
    }

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
   * An admin asked for the failed production dispatch to be tried again: the dispatch {@code
   * dispatchId} is open again (no outcome), and the orchestrator settles it as it settles a claim
   * it found without an outcome: it looks for the workflow run carrying the id and sends the
   * dispatch again, with the same id, only if GitHub lists none.
   *
   * @param requestedBy the admin's Telegram user id
   * @param dispatchId the failed dispatch that is tried again
   * @param policyVersion the version of the policy in force that let the admin ask
   */
  record DispatchRetryRequested(
      long requestedBy,
      String requestedByName,
      String dispatchId,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long policyVersion)
      implements ReleaseEvent {
    public static final String TYPE = "release.dispatch-retry-requested.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * The orchestrator did not dispatch the approved release because a freeze window of the policy in
   * force covers its service now (issue 15 point 5): the dispatch is held until {@code until}, when
   * the orchestrator dispatches it under the usual exactly-once rules. Recorded once per freeze,
   * and again when a policy change moves the freeze's end. The status stays {@code
   * manual_test_passed}.
   *
   * @param until when the (merged) freeze ends and the release may be dispatched
   * @param reason the freeze window's reason, for the card, or null
   * @param policyVersion the version of the policy whose freeze held it
   */
  record DispatchHeld(
      Instant until,
      @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long policyVersion)
      implements ReleaseEvent {
    public static final String TYPE = "release.dispatch-held.v1";

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

  /**
   * The policy file release-api enforces changed (or was first recorded): the whole policy in force
   * from this event on, so that the log alone says who could approve, reject and roll back what,
   * and when. These events are written only to the policy topic ({@code rmm.release-policies}),
   * chained under the subject {@link #SUBJECT}; their sequence number is the policy's version,
   * which every decision that used it names ({@code policy_version}).
   *
   * <p>Who: the envelope's actor is the release-api instance that read the file ({@code
   * release-api@host}); {@code author} is who the file (or the operator's environment, {@code
   * RMM_POLICY_AUTHOR}) says made the change, a claim recorded as such; {@code file_owner} is the
   * file's owner in the file system. What: every service's policy and the default policy.
   *
   * @param services each service's own policy, by service name
   * @param defaultPolicy the approval policy of services without their own, or null for none
   * @param changed the services whose policy this event adds, changes or removes ({@code *}: the
   *     default policy)
   * @param source where release-api read it (the policy file's path, or {@code environment})
   * @param sha256 the SHA-256 (hex) of the policy file's bytes, or null without a file
   * @param author who the file or the environment names as the author of the change, or null
   * @param fileOwner the file's owner as the file system reports it, or null
   * @param freezes the freeze windows (issue 15 point 5): no release they cover is dispatched to
   *     production while one is in force; empty (absent on the wire) for none
   */
  record PolicyChanged(
      Map<String, Service> services,
      @JsonInclude(JsonInclude.Include.NON_NULL) ApprovalPolicy defaultPolicy,
      List<String> changed,
      String source,
      @JsonInclude(JsonInclude.Include.NON_NULL) String sha256,
      @JsonInclude(JsonInclude.Include.NON_NULL) String author,
      @JsonInclude(JsonInclude.Include.NON_NULL) String fileOwner,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FreezeWindow> freezes)
      implements ReleaseEvent {
    public static final String TYPE = "release.policy-changed.v1";

    /** A policy without freeze windows (as every policy before issue 15 point 5). */
    public PolicyChanged(
        Map<String, Service> services,
        ApprovalPolicy defaultPolicy,
        List<String> changed,
        String source,
        String sha256,
        String author,
        String fileOwner) {
      this(services, defaultPolicy, changed, source, sha256, author, fileOwner, List.of());
    }

    /** The subject (the Kafka key and the chain) of every policy event. */
    public static final String SUBJECT = "policy";

    /**
     * One service's policy.
     *
     * @param approval who approves, rejects and rolls back its releases
     * @param repository the one repository that may release it, or null for none declared
     * @param jobWorkflowRefs the OIDC workflows that may create its releases; empty for any
     */
    public record Service(
        ApprovalPolicy approval,
        @JsonInclude(JsonInclude.Include.NON_NULL) String repository,
        List<String> jobWorkflowRefs) {
      public Service {
        jobWorkflowRefs = jobWorkflowRefs == null ? List.of() : List.copyOf(jobWorkflowRefs);
      }
    }

    public PolicyChanged {
      // sorted, so that the same policy is always written the same way
      services = Collections.unmodifiableMap(new TreeMap<>(services == null ? Map.of() : services));
      changed = changed == null ? List.of() : List.copyOf(changed);
      freezes = freezes == null ? List.of() : List.copyOf(freezes);
    }

    /** The approval policy of a service under this policy: its own, or else the default. */
    public ApprovalPolicy approvalOf(String service) {
      Service own = services.get(service);
      return own != null ? own.approval() : defaultPolicy;
    }

    /** Whether {@code other} enforces the same rules (who wrote it, and where from, aside). */
    public boolean sameRules(PolicyChanged other) {
      return other != null
          && services.equals(other.services)
          && java.util.Objects.equals(defaultPolicy, other.defaultPolicy)
          && freezes.equals(other.freezes);
    }

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * Break-glass: an admin forced the approval of the release, bypassing the approvers' quorum. It
   * takes effect only if a second admin confirms it before {@code expiresAt}; the release stays in
   * manual testing meanwhile.
   *
   * @param requestedBy the admin's Telegram user id
   * @param reason why, in the admin's words
   * @param tag the tag the approval was forced for
   * @param commitSha the commit the tag pointed at when it was forced (the last one reported)
   * @param expiresAt when the request lapses unconfirmed: the decision time plus {@link
   *     ApprovalPolicy#breakGlassWindow()} of the policy in force; absent when decided without a
   *     time (never lapses)
   * @param policyVersion the version of the policy in force that made the requester an admin
   */
  record BreakGlassRequested(
      long requestedBy,
      String requestedByName,
      String reason,
      String tag,
      @JsonInclude(JsonInclude.Include.NON_NULL) String commitSha,
      @JsonInclude(JsonInclude.Include.NON_NULL) java.time.Instant expiresAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long policyVersion)
      implements ReleaseEvent {
    public static final String TYPE = "release.break-glass-requested.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * A second admin confirmed the break-glass in time. Always followed by the {@link
   * ApprovalQuorumReached} that moves the release to {@code manual_test_passed}, the same event the
   * approvers' quorum writes, so the orchestrator dispatches it as any approved release.
   *
   * @param requestedBy the admin who forced the approval
   * @param confirmedBy the second admin
   * @param reason the requester's reason, repeated so the event reads alone
   */
  record BreakGlassConfirmed(
      long requestedBy,
      String requestedByName,
      long confirmedBy,
      String confirmedByName,
      String reason,
      String tag,
      @JsonInclude(JsonInclude.Include.NON_NULL) String commitSha,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long policyVersion)
      implements ReleaseEvent {
    public static final String TYPE = "release.break-glass-confirmed.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * A break-glass request lapsed unconfirmed: written when the decider first sees it past its
   * {@code expiresAt} (a late confirmation, which is refused, or a new request). Until then a
   * lapsed request is known as such from its {@code expiresAt} alone.
   *
   * @param requestedBy the admin whose request lapsed
   * @param expiresAt when it lapsed
   * @param detail what found it lapsed, for people
   */
  record BreakGlassExpired(
      long requestedBy, String requestedByName, java.time.Instant expiresAt, String detail)
      implements ReleaseEvent {
    public static final String TYPE = "release.break-glass-expired.v1";

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
          RunbookFinished.class,
          PolicyChanged.class,
          ReleaseSuperseded.class,
          DispatchRetryRequested.class,
          ApprovalsVoided.class,
          BreakGlassRequested.class,
          BreakGlassConfirmed.class,
          BreakGlassExpired.class,
          DispatchHeld.class);
}
