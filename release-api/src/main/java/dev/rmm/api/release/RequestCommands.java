package dev.rmm.api.release;

import dev.rmm.api.auth.Caller;
import dev.rmm.api.policy.ServicePolicies;
import dev.rmm.api.policy.ServicePolicy;
import dev.rmm.api.problem.InvalidRequestException;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.TextRules.Kind;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a bound request body into the command the writer decides, with every check that needs no
 * release state. Pure (no I/O), so the fuzz tests drive exactly what the HTTP layer does; a refused
 * request throws {@link InvalidRequestException} (answered 4xx problem+json) and nothing else.
 */
public final class RequestCommands {

  private RequestCommands() {}

  /** {@code POST /api/v1/releases} (and legacy {@code POST /release}). */
  public static ReleaseCommand.CreateRelease create(
      CreateReleaseRequest r, Caller caller, ServicePolicies policies) {
    Validation.check()
        .required("service", r.service())
        .matches("service", r.service(), Validation.SERVICE, "letters, digits, '.', '_' or '-'")
        .required("tag", r.tag())
        .required("initiator", r.initiator())
        .required("github_run_id", r.githubRunId())
        .required("github_run_link", r.githubRunLink())
        .url("github_run_link", r.githubRunLink())
        .required("ref", r.ref())
        .required("repository", r.repository())
        .matches("repository", r.repository(), Validation.REPOSITORY, "owner/name")
        .required("commit_sha", r.commitSha())
        .matches("commit_sha", r.commitSha(), Validation.SHA, "a hexadecimal commit sha")
        // the OIDC token's actor claim becomes the release's authenticated initiator: GitHub signs
        // it, but it is text from outside all the same, so it passes the same door as the rest
        .text("actor", caller.actor(), Kind.LINE)
        .matches(
            "actor",
            caller.actor(),
            Validation.GITHUB_LOGIN,
            "a GitHub login (the OIDC token's actor claim)")
        .orThrow();
    if (!caller.mayWrite(r.repository())) {
      throw new InvalidRequestException(
          403,
          "forbidden",
          "Forbidden",
          "this token belongs to "
              + caller.repository()
              + " and cannot create releases for "
              + r.repository(),
          Map.of());
    }
    ServicePolicy policy =
        policies
            .of(r.service())
            .orElseThrow(
                () ->
                    InvalidRequestException.validation(
                        "no approvers are configured for service '"
                            + r.service()
                            + "': set RMM_POLICY_DEFAULT_APPROVERS or add the service to the"
                            + " policy file"));
    RepositoryBinding.check(r.service(), r.repository(), caller, policy, policies.allowsUnbound());
    ReleaseSpec spec =
        new ReleaseSpec(
            r.service().trim(),
            r.tag().trim(),
            r.initiator().trim(),
            r.githubRunId().trim(),
            r.githubRunLink().trim(),
            r.ref().trim(),
            r.repository().trim(),
            r.commitSha().trim().toLowerCase(Locale.ROOT),
            caller.actor() == null || caller.actor().isBlank() ? null : caller.actor());
    // who really asked: the authenticated login when the token proves one, else the reported one
    return new ReleaseCommand.CreateRelease(
        spec, policy.approval(), Actor.github(spec.repository(), spec.startedBy()));
  }

  /** {@code POST /api/v1/releases/{id}/steps} (and legacy {@code PATCH /release}). */
  public static ReleaseCommand.ReportStep step(String releaseId, StepRequest r, Caller caller) {
    Validation.check()
        .text("release_id", releaseId, Kind.LINE)
        .required("status", r.status())
        .text("detail", r.detail(), Kind.FREE_TEXT)
        .matches("commit_sha", r.commitSha(), Validation.SHA, "a hexadecimal commit sha")
        .orThrow();
    ReleaseStatus status =
        ReleaseStatus.parse(r.status())
            .orElseThrow(
                () ->
                    InvalidRequestException.validation(
                        "unknown status '"
                            + r.status()
                            + "'; known statuses: "
                            + ReleaseStatus.wireValues()));
    Actor actor = caller.isAdmin() ? Actor.adminToken() : Actor.github(caller.repository(), null);
    String commit =
        r.commitSha() == null || r.commitSha().isBlank()
            ? null
            : r.commitSha().trim().toLowerCase(Locale.ROOT);
    return new ReleaseCommand.ReportStep(releaseId, status, r.detail(), actor, commit);
  }

  /**
   * {@code POST /api/v1/releases/{id}/approvals}: an approver's approval, sent by an admin token on
   * their behalf. Recorded as the admin token acting for the approver, never as the approver's own
   * press; it counts toward the quorum only where the policy sets {@code on_behalf_counts}.
   */
  public static ReleaseCommand.Approve approve(String releaseId, ActionRequests.Approval body) {
    Validation.check()
        .text("release_id", releaseId, Kind.LINE)
        .text("name", requireBody(body).name(), Kind.LINE)
        .orThrow();
    long user = requireUser(body.telegramUserId());
    return new ReleaseCommand.Approve(
        releaseId, user, body.seenVersion(), Actor.adminTokenFor(user, body.name()));
  }

  /** {@code POST /api/v1/releases/{id}/rejections}. */
  public static ReleaseCommand.Reject reject(String releaseId, ActionRequests.Rejection body) {
    Validation.check()
        .text("release_id", releaseId, Kind.LINE)
        .text("name", requireBody(body).name(), Kind.LINE)
        .text("reason", body.reason(), Kind.FREE_TEXT)
        .orThrow();
    long user = requireUser(body.telegramUserId());
    return new ReleaseCommand.Reject(
        releaseId, user, body.reason(), body.seenVersion(), Actor.adminTokenFor(user, body.name()));
  }

  /** {@code POST /api/v1/releases/{id}/rollback}. */
  public static ReleaseCommand.RequestRollback rollback(
      String releaseId, ActionRequests.Rollback body) {
    Validation.check()
        .text("release_id", releaseId, Kind.LINE)
        .text("name", requireBody(body).name(), Kind.LINE)
        .text("target_tag", body.targetTag(), Kind.LINE)
        .orThrow();
    long user = requireUser(body.telegramUserId());
    return new ReleaseCommand.RequestRollback(
        releaseId,
        user,
        body.targetTag(),
        body.seenVersion(),
        Actor.adminTokenFor(user, body.name()));
  }

  /** {@code POST /api/v1/releases/{id}/cancel}; the body (a reason) is optional. */
  public static ReleaseCommand.CancelRelease cancel(
      String releaseId, ActionRequests.Cancellation body) {
    String reason = body == null ? null : body.reason();
    Validation.check()
        .text("release_id", releaseId, Kind.LINE)
        .text("reason", reason, Kind.FREE_TEXT)
        .orThrow();
    return new ReleaseCommand.CancelRelease(releaseId, reason, Actor.adminToken());
  }

  static <T> T requireBody(T body) {
    if (body == null) {
      throw InvalidRequestException.validation("a JSON body is required");
    }
    return body;
  }

  private static long requireUser(Long id) {
    if (id == null || id <= 0) {
      throw InvalidRequestException.validation("'telegram_user_id' is required");
    }
    return id;
  }
}
