package dev.rmm.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * What someone asks rmm to do with one release. Commands are verbs; the decider answers each with
 * events or a rejection. Like an event, each command has a stable type name on the wire (never the
 * Java class name); a changed shape gets a new version of the type name. A component marked
 * {@code @JsonProperty(required = true)} must be present and filled on the wire ({@link
 * CommandCodec} refuses a record without it); {@code releaseId} and {@code actor} always are.
 */
public sealed interface ReleaseCommand {

  /** Stable wire type name, e.g. {@code release.approve.v1}. */
  String type();

  String releaseId();

  /** Who asks. */
  Actor actor();

  /** Create a release. Idempotent: the same service + tag + run id names the same release. */
  record CreateRelease(
      @JsonProperty(required = true) ReleaseSpec spec,
      @JsonProperty(required = true) ApprovalPolicy policy,
      Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.create.v1";

    @Override
    public String releaseId() {
      return spec.releaseId();
    }

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * A pipeline (or the orchestrator) reports that the release reached a lifecycle step.
   *
   * @param commitSha the commit the release's tag points at now, when the pipeline says (a commit
   *     other than the release's means the tag was moved); absent on commands sent before steps
   *     carried it, and then nothing is checked
   */
  record ReportStep(
      String releaseId,
      @JsonProperty(required = true) ReleaseStatus status,
      String detail,
      Actor actor,
      @JsonInclude(JsonInclude.Include.NON_NULL) String commitSha)
      implements ReleaseCommand {
    public static final String TYPE = "release.report-step.v1";

    public ReportStep(String releaseId, ReleaseStatus status, String detail, Actor actor) {
      this(releaseId, status, detail, actor, null);
    }

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * An approver approves a release in manual testing.
   *
   * @param seenVersion the release version shown to the user, or null when unknown
   */
  record Approve(
      String releaseId,
      @JsonProperty(required = true) long telegramUserId,
      Long seenVersion,
      Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.approve.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** An approver or admin rejects a release in manual testing, with a reason. */
  record Reject(
      String releaseId,
      @JsonProperty(required = true) long telegramUserId,
      String reason,
      Long seenVersion,
      Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.reject.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** An admin asks to roll a deployed release back to an earlier tag of the same service. */
  record RequestRollback(
      String releaseId,
      @JsonProperty(required = true) long telegramUserId,
      String targetTag,
      Long seenVersion,
      Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.request-rollback.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * The orchestrator claims the dispatch of a release that passed manual testing, before it calls
   * GitHub. Accepted once per release; the same dispatch id again is a harmless repeat.
   */
  record StartDispatch(
      String releaseId,
      @JsonProperty(required = true) String dispatchId,
      String repository,
      String workflow,
      String ref,
      Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.start-dispatch.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** The orchestrator records how the dispatch it started ended. */
  record RecordDispatch(
      String releaseId,
      @JsonProperty(required = true) String dispatchId,
      boolean dispatched,
      int httpStatus,
      String detail,
      int attempts,
      Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.record-dispatch.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** The orchestrator claims the rollback runbook of a release, before running anything. */
  record StartRunbook(
      String releaseId, @JsonProperty(required = true) String runId, String host, Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.start-runbook.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** The orchestrator records one step of the runbook it started. */
  record RecordRunbookStep(
      String releaseId,
      @JsonProperty(required = true) String runId,
      @JsonProperty(required = true) String step,
      String command,
      int exitCode,
      long durationMs,
      String outputTail,
      boolean ok,
      Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.record-runbook-step.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** The orchestrator ends the runbook; the release becomes rollback_done or rollback_failed. */
  record FinishRunbook(
      String releaseId,
      @JsonProperty(required = true) String runId,
      boolean ok,
      String failedStep,
      String detail,
      Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.finish-runbook.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** An admin (or a newer release of the same service) cancels a release still on its way. */
  record CancelRelease(String releaseId, String reason, Actor actor) implements ReleaseCommand {
    public static final String TYPE = "release.cancel.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * The orchestrator says that a newer release of the same service reached manual testing (or went
   * further toward production), so this older one will never be deployed: it becomes {@code
   * cancelled}, naming the newer one. Only the orchestrator sends it (it alone follows every
   * release of a service); its command id is derived from both release ids, so a redelivery has one
   * effect. Which release is newer is {@link ReleaseOrder}'s rule, applied by the sender.
   *
   * @param byReleaseId the newer release's id
   * @param byTag the newer release's tag, for people ("replaced by v1.5.0")
   */
  record SupersedeRelease(
      String releaseId,
      @JsonProperty(required = true) String byReleaseId,
      @JsonProperty(required = true) String byTag,
      Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.supersede.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * An admin asks, after the production dispatch failed, for the dispatch to be tried again (the 🔁
   * button on the Telegram card). Only an admin of the policy in force may; only while the last
   * dispatch of the release is recorded as failed. It reopens that dispatch with its id: the
   * orchestrator looks for a workflow run of it first and sends it again only if GitHub lists none,
   * so one approval never gets two workflow runs.
   *
   * @param seenVersion the release version shown to the user, or null when unknown
   */
  record RetryDispatch(
      String releaseId,
      @JsonProperty(required = true) long telegramUserId,
      Long seenVersion,
      Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.retry-dispatch.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * Break-glass (issue 15 point 4): an admin forces the approval of a release in manual testing,
   * with a reason, without the approvers' quorum. It takes effect only when a second admin confirms
   * it ({@link ConfirmBreakGlass}) within {@link ApprovalPolicy#breakGlassWindow()} of the policy
   * in force; until then the release waits in manual testing as before.
   *
   * @param reason why the approvers' quorum is bypassed; the decider refuses a blank one (invalid),
   *     as it refuses a blank rejection reason, and checks it as free text
   * @param seenVersion the release version shown to the admin, or null when unknown
   */
  record ForceApprove(
      String releaseId,
      @JsonProperty(required = true) long telegramUserId,
      String reason,
      Long seenVersion,
      Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.force-approve.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * A second admin (never the one who forced it) confirms a break-glass within {@link
   * ApprovalPolicy#breakGlassWindow() window} its request was given: the release passes manual
   * testing.
   *
   * @param seenVersion the release version shown to the admin, or null when unknown
   */
  record ConfirmBreakGlass(
      String releaseId,
      @JsonProperty(required = true) long telegramUserId,
      Long seenVersion,
      Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.confirm-break-glass.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * The orchestrator holds the dispatch of an approved release: a freeze window of the policy in
   * force covers its service until {@code until} (issue 15 point 5). Its command id is derived from
   * the release and {@code until}, so a redelivery has one effect.
   *
   * @param until when the freeze ends
   * @param reason the freeze window's reason, or null
   * @param policyVersion the version of the policy in force that holds it
   */
  record HoldDispatch(
      String releaseId, Instant until, String reason, Long policyVersion, Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.hold-dispatch.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * The orchestrator's timer: a break-glass request nobody confirmed in time lapsed (issue 15 point
   * 4). Without it the lapse was recorded only at the release's next force or confirmation, so a
   * request left alone never had its {@code release.break-glass-expired.v1} (no alert, no count in
   * the metric). The decider judges the lapse with its own decision time, as it judges a late
   * confirmation; its command id names the release and {@code expiresAt}, so a redelivery has one
   * effect.
   *
   * @param expiresAt the {@code expires_at} of the request the orchestrator saw lapse: a newer
   *     request (another admin forced it again) is not expired by a timer of the older one
   */
  record ExpireBreakGlass(String releaseId, Instant expiresAt, Actor actor)
      implements ReleaseCommand {
    public static final String TYPE = "release.expire-break-glass.v1";

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * All command classes with their type names; the codec's registry is built from this, and
   * PermittedSubclassesTest holds it to the sealed interface.
   */
  List<Class<? extends ReleaseCommand>> ALL =
      List.of(
          CreateRelease.class,
          ReportStep.class,
          Approve.class,
          Reject.class,
          RequestRollback.class,
          CancelRelease.class,
          StartDispatch.class,
          RecordDispatch.class,
          StartRunbook.class,
          RecordRunbookStep.class,
          FinishRunbook.class,
          SupersedeRelease.class,
          RetryDispatch.class,
          ForceApprove.class,
          ConfirmBreakGlass.class,
          HoldDispatch.class,
          ExpireBreakGlass.class);
}
