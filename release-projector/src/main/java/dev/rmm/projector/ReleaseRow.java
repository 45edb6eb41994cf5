package dev.rmm.projector;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.log.ChainRule;
import java.time.Instant;

/**
 * One row of {@code releases}, changed event by event. Every value comes from the events (never the
 * clock), so a rebuild from the log produces exactly the same row.
 */
final class ReleaseRow {

  /**
   * The columns of {@code releases}, in the order of {@link #values()} ({@link ReleaseColumns}).
   */
  static final String COLUMNS = ReleaseColumns.NAMES;

  /** The Postgres types of {@link #COLUMNS}, in the same order. */
  static final java.util.List<ColumnArrays.Type> TYPES = ReleaseColumns.TYPES;

  String releaseId;
  String service;
  String tag;
  String rollbackToTag = "";
  ReleaseStatus status;
  String initiatedBy;

  /**
   * The GitHub login the API authenticated for the pipeline that created the release (the OIDC
   * token's {@code actor}), or null (a stored token, or a release from before it was recorded).
   */
  String initiatorLogin;

  String githubRunId;
  String githubActionLink;
  String githubRef;
  String repository;
  String commitSha;
  ArrayNode approvedList = EventCodec.mapper().createArrayNode();
  ArrayNode requiredApprovers = EventCodec.mapper().createArrayNode();
  int quorum;
  ArrayNode admins = EventCodec.mapper().createArrayNode();
  boolean initiatorMayApprove;
  String rejectionReason;
  long version;
  Instant createdAt;
  Instant startedAt;
  Instant completedAt;
  Instant deployedAt;
  Instant updatedAt;
  ObjectNode dispatch;
  ObjectNode runbook;
  Instant manualTestingAt;
  Instant decidedAt;
  Instant deployingAt;
  Instant rollbackStartedAt;
  Instant restoredAt;

  /** The newer release that superseded this one, and its tag; null unless superseded. */
  String supersededById;

  String supersededByTag;

  /**
   * Why the approvals were voided the last time the release's tag moved (release.approvals-voided),
   * or null when it never moved.
   */
  ObjectNode approvalsVoided;

  /** The release's break-glass, from its events (see {@link BreakGlassColumn}); null: none. */
  ObjectNode breakGlass;

  /**
   * The newest hold of the release's dispatch by a freeze (release.dispatch-held: until, reason,
   * policy version, when), or null when no freeze held it.
   */
  ObjectNode dispatchHeld;

  /**
   * The roles the release's policy requires and how far the approvals fill them (see {@link
   * RoleQuorumColumn}); null when the policy names no roles.
   */
  ArrayNode roleQuorum;

  /**
   * The JSON text of {@link #requiredApprovers} and {@link #admins}, made on the first write: they
   * are the release's policy, set when it is created and never changed by a later event, and the
   * row is written again (with them) by nearly every event of the release.
   */
  private String requiredApproversJson;

  private String adminsJson;

  /** The hash of the chain head (the last applied event); null on a row from before V5. */
  String headHash;

  boolean headChained;

  /**
   * The row's values in the order of {@link #COLUMNS}; JSON columns as text; every string made fit
   * for Postgres by {@link PgText}.
   */
  java.util.List<Object> values() {
    return ReleaseColumns.values(this);
  }

  String requiredApproversJson() {
    if (requiredApproversJson == null) {
      requiredApproversJson = PgText.json(requiredApprovers);
    }
    return requiredApproversJson;
  }

  String adminsJson() {
    if (adminsJson == null) {
      adminsJson = PgText.json(admins);
    }
    return adminsJson;
  }

  /**
   * The release's chain head, the event {@link ChainRule#follows} judges the next one against; null
   * when unknown (a row projected before heads were stored).
   */
  ChainRule.Head head() {
    return headHash == null ? null : new ChainRule.Head(version, headHash, headChained);
  }

  /** Records the head after an applied event ({@code version} is set by the event itself). */
  void headAt(ChainRule.Head head) {
    headHash = head.hash();
    headChained = head.chained();
  }

  /** The row as the release's first event creates it. */
  static ReleaseRow created(EventEnvelope e, ReleaseEvent.ReleaseCreated c) {
    ReleaseRow r = new ReleaseRow();
    ReleaseSpec s = c.spec();
    r.releaseId = e.releaseId();
    r.service = s.service();
    r.tag = s.tag();
    r.status = ReleaseStatus.INITIATED;
    r.initiatedBy = s.initiator();
    r.initiatorLogin = s.initiatorLogin();
    r.githubRunId = s.githubRunId();
    r.githubActionLink = s.githubRunLink();
    r.githubRef = s.ref();
    r.repository = s.repository();
    r.commitSha = s.commitSha();
    ApprovalPolicy p = c.policy();
    p.approvers()
        .forEach(
            a -> {
              ObjectNode n = r.requiredApprovers.addObject();
              n.put("id", a.telegramId());
              n.put("name", a.name());
              if (a.githubLogin() != null) {
                n.put("github_login", a.githubLogin());
              }
            });
    r.quorum = p.quorum();
    p.admins().forEach(r.admins::add);
    r.initiatorMayApprove = p.initiatorMayApprove();
    r.roleQuorum = RoleQuorumColumn.created(p);
    r.createdAt = e.occurredAt();
    r.startedAt = e.occurredAt();
    r.version = e.sequence();
    r.updatedAt = e.occurredAt();
    return r;
  }

  /** Applies one later event of the release. */
  void apply(EventEnvelope e) {
    ReleaseEvent d = e.data();
    Instant at = e.occurredAt();
    breakGlass = BreakGlassColumn.apply(breakGlass, e);
    if (d instanceof ReleaseEvent.StatusChanged c) {
      moveTo(c.to(), at);
    } else if (d instanceof ReleaseEvent.ApprovalGranted g) {
      var approval =
          approvedList
              .addObject()
              .put("id", g.approverId())
              .put("name", g.approverName())
              .put("at", at.toString());
      if (g.commitSha() != null) {
        approval.put("commit_sha", g.commitSha()); // the artifact approved
      }
      if (e.actor().actsOnBehalf()) {
        // an admin token approved for the approver (counted because the policy allows it)
        approval.put("on_behalf", true);
      }
      roleQuorum = RoleQuorumColumn.recount(roleQuorum, approvedList);
    } else if (d instanceof ReleaseEvent.ApprovalsVoided v) {
      voidApprovals(v, at);
    } else if (d instanceof ReleaseEvent.ApprovalQuorumReached) {
      moveTo(ReleaseStatus.MANUAL_TEST_PASSED, at);
    } else if (d instanceof ReleaseEvent.ReleaseRejected r) {
      rejectionReason = r.reason();
      moveTo(ReleaseStatus.MANUAL_TEST_FAILED, at);
    } else if (d instanceof ReleaseEvent.RollbackRequested r) {
      rollbackToTag = r.targetTag();
      moveTo(ReleaseStatus.PRODUCTION_ROLLBACK, at);
    } else if (d instanceof ReleaseEvent.ReleaseCancelled) {
      moveTo(ReleaseStatus.CANCELLED, at);
    } else if (d instanceof ReleaseEvent.ReleaseSuperseded r) {
      supersededById = r.byReleaseId();
      supersededByTag = r.byTag();
      moveTo(ReleaseStatus.CANCELLED, at);
    } else if (d instanceof ReleaseEvent.DispatchHeld h) {
      dispatchHeld = EventCodec.mapper().createObjectNode();
      dispatchHeld.put("until", h.until().toString());
      if (h.reason() != null) {
        dispatchHeld.put("reason", h.reason());
      }
      if (h.policyVersion() != null) {
        dispatchHeld.put("policy_version", h.policyVersion());
      }
      dispatchHeld.put("at", at.toString());
    } else if (d instanceof ReleaseEvent.DispatchStarted s) {
      dispatch = EventCodec.mapper().createObjectNode();
      dispatch.put("id", s.dispatchId());
      dispatch.put("repository", s.repository());
      dispatch.put("workflow", s.workflow());
      dispatch.put("ref", s.ref());
      dispatch.putNull("outcome");
    } else if (d instanceof ReleaseEvent.WorkflowDispatched w && dispatch != null) {
      dispatch.put("outcome", "dispatched");
      dispatch.put("http_status", w.httpStatus());
    } else if (d instanceof ReleaseEvent.RunbookStarted r) {
      runbook = EventCodec.mapper().createObjectNode();
      runbook.put("run_id", r.runId());
      runbook.put("host", r.host());
      runbook.put("target_tag", r.targetTag());
      runbook.putArray("steps");
      runbook.putNull("ok");
    } else if (d instanceof ReleaseEvent.RunbookStep r && runbook != null) {
      ((ArrayNode) runbook.get("steps"))
          .addObject()
          .put("step", r.step())
          .put("exit_code", r.exitCode())
          .put("duration_ms", r.durationMs())
          .put("ok", r.ok());
    } else if (d instanceof ReleaseEvent.RunbookFinished r && runbook != null) {
      runbook.put("ok", r.ok());
      runbook.put("failed_step", r.failedStep());
      runbook.put("detail", r.detail());
    } else if (d instanceof ReleaseEvent.DispatchFailed f && dispatch != null) {
      dispatch.put("outcome", "failed");
      dispatch.put("http_status", f.httpStatus());
      dispatch.put("detail", f.detail());
    } else if (d instanceof ReleaseEvent.DispatchRetryRequested r && dispatch != null) {
      // the failed dispatch is open again (the card shows it under way); the failure stays in the
      // timeline, and who asked for the retry is kept beside the dispatch (a JSON column: no
      // migration)
      dispatch.putNull("outcome");
      dispatch.remove("http_status");
      dispatch.remove("detail");
      dispatch.put("retries", dispatch.path("retries").asInt(0) + 1);
      dispatch.put("retry_requested_by", r.requestedByName());
    }
    version = e.sequence();
    updatedAt = at;
  }

  /**
   * The tag moved before the quorum: the approvals given are void (they leave the list, and the
   * card says why from {@link #approvalsVoided}); the row names the new commit.
   */
  private void voidApprovals(ReleaseEvent.ApprovalsVoided v, Instant at) {
    approvalsVoided = EventCodec.mapper().createObjectNode();
    approvalsVoided.put("tag", v.tag());
    approvalsVoided.put("from_commit", v.fromCommit());
    approvalsVoided.put("to_commit", v.toCommit());
    ArrayNode approvers = approvalsVoided.putArray("approvers");
    for (var a : approvedList) {
      if (v.approverIds().contains(a.path("id").asLong())) {
        approvers.addObject().put("id", a.path("id").asLong()).put("name", a.path("name").asText());
      }
    }
    approvalsVoided.put("reason", v.reason());
    approvalsVoided.put("at", at.toString());
    approvedList = EventCodec.mapper().createArrayNode();
    roleQuorum = RoleQuorumColumn.recount(roleQuorum, approvedList);
    commitSha = v.toCommit();
  }

  private void moveTo(ReleaseStatus next, Instant at) {
    status = next;
    if (next == ReleaseStatus.STAGE_BUILDING) {
      startedAt = at;
    }
    if (next == ReleaseStatus.DEPLOYED) {
      deployedAt = at;
    }
    switch (next) {
      case MANUAL_TESTING -> manualTestingAt = firstOf(manualTestingAt, at);
      case MANUAL_TEST_PASSED, MANUAL_TEST_FAILED -> decidedAt = firstOf(decidedAt, at);
      case DEPLOYING -> deployingAt = firstOf(deployingAt, at);
      case PRODUCTION_ROLLBACK -> rollbackStartedAt = firstOf(rollbackStartedAt, at);
      case ROLLBACK_DONE -> restoredAt = firstOf(restoredAt, at);
      default -> {}
    }
    completedAt = next == ReleaseStatus.DEPLOYED || next.isTerminal() ? at : null;
  }

  private static Instant firstOf(Instant earlier, Instant now) {
    return earlier != null ? earlier : now;
  }
}
