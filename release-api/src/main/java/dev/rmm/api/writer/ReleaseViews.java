package dev.rmm.api.writer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;

/**
 * The writer's view of a release, returned by every write: what the release looks like right after
 * the events were committed (the read model may lag by a few milliseconds).
 */
public final class ReleaseViews {

  private ReleaseViews() {}

  public static ObjectNode of(ReleaseState s) {
    ObjectNode n = EventCodec.mapper().createObjectNode();
    n.put("release_id", s.releaseId());
    n.put("service_name", s.spec().service());
    n.put("release_tag", s.spec().tag());
    n.put("status", s.status().wire());
    n.put("outcome", s.status().outcome().wire());
    n.put("version", s.version());
    n.put("initiated_by", s.spec().initiator());
    if (s.spec().initiatorLogin() != null) {
      // the login the pipeline's OIDC token proved (its actor claim); it decides who started it
      n.put("initiator_login", s.spec().initiatorLogin());
    }
    n.put("github_run_id", s.spec().githubRunId());
    n.put("github_action_link", s.spec().githubRunLink());
    n.put("github_ref", s.spec().ref());
    n.put("repository", s.spec().repository());
    // the commit the tag points at now: the spec's, or the one a moved tag was reported with
    n.put("commit_sha", s.commitSha() != null ? s.commitSha() : s.spec().commitSha());
    if (s.stagedCommit() != null) {
      // the commit of the last stage run: after a moved tag, whether the stage ran on the new one
      n.put("staged_commit", s.stagedCommit());
    }
    n.put("rollback_to_tag", s.rollbackToTag() == null ? "" : s.rollbackToTag());
    if (s.rejectionReason() != null) {
      n.put("rejection_reason", s.rejectionReason());
    }
    ArrayNode approved = n.putArray("approved_list");
    s.approvals()
        .forEach(
            a -> {
              ObjectNode o = approved.addObject().put("id", a.approverId());
              o.put("name", a.approverName());
              if (a.commitSha() != null) {
                o.put("commit_sha", a.commitSha());
              }
              if (a.at() != null) {
                o.put("at", a.at().toString());
              }
            });
    ApprovalPolicy p = s.policy();
    n.put("quorum", p.quorum());
    ArrayNode required = n.putArray("required_approvers");
    p.approvers()
        .forEach(a -> required.addObject().put("id", a.telegramId()).put("name", a.name()));
    ReleaseState.Dispatch d = s.dispatch();
    if (d != null) {
      ObjectNode dn = n.putObject("dispatch");
      dn.put("id", d.id());
      dn.put("repository", d.repository());
      dn.put("workflow", d.workflow());
      dn.put("ref", d.ref());
      dn.put("outcome", d.outcome());
      if (d.outcome() != null) {
        dn.put("http_status", d.httpStatus());
      }
      if (d.detail() != null) {
        dn.put("detail", d.detail());
      }
    }
    allowedNext(n, s.status());
    return n;
  }

  private static void allowedNext(ObjectNode n, ReleaseStatus status) {
    ArrayNode next = n.putArray("allowed_next");
    ReleaseDecider.reportableNext(status).forEach(st -> next.add(st.wire()));
  }
}
