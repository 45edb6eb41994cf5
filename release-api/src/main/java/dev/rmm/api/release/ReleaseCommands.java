package dev.rmm.api.release;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.api.auth.Caller;
import dev.rmm.api.policy.PolicyRegistry;
import dev.rmm.api.problem.InvalidRequestException;
import dev.rmm.api.problem.Problem;
import dev.rmm.api.writer.NotOwnerException;
import dev.rmm.api.writer.ReleaseWriter;
import dev.rmm.api.writer.RequestMeta;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.TextRules;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Translates HTTP requests into commands for the single writer and its answers into HTTP responses.
 * Shared by the v1 API and the legacy endpoints.
 */
@ApplicationScoped
public class ReleaseCommands {

  private final ReleaseWriter writer;
  private final PolicyRegistry policies;

  ReleaseCommands(ReleaseWriter writer, PolicyRegistry policies) {
    this.writer = writer;
    this.policies = policies;
  }

  public Uni<Response> create(CreateReleaseRequest r, Caller caller, RequestMeta meta) {
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
        .orThrow();
    if (!caller.mayWrite(r.repository())) {
      return Uni.createFrom()
          .item(
              Problem.of(
                  403,
                  "forbidden",
                  "Forbidden",
                  "this token belongs to "
                      + caller.repository()
                      + " and cannot create releases for "
                      + r.repository()));
    }
    ApprovalPolicy policy =
        policies
            .forService(r.service())
            .orElseThrow(
                () ->
                    InvalidRequestException.validation(
                        "no approvers are configured for service '"
                            + r.service()
                            + "': set RMM_POLICY_DEFAULT_APPROVERS or add the service to the"
                            + " policy file"));
    ReleaseSpec spec =
        new ReleaseSpec(
            r.service().trim(),
            r.tag().trim(),
            r.initiator().trim(),
            r.githubRunId().trim(),
            r.githubRunLink().trim(),
            r.ref().trim(),
            r.repository().trim(),
            r.commitSha().trim().toLowerCase(java.util.Locale.ROOT));
    Actor actor = Actor.github(spec.repository(), spec.initiator());
    return answer(new ReleaseCommand.CreateRelease(spec, policy, actor), meta, scope(caller), true);
  }

  public Uni<Response> step(String releaseId, StepRequest r, Caller caller, RequestMeta meta) {
    Validation.check()
        .text("release_id", releaseId, TextRules.Kind.LINE)
        .required("status", r.status())
        .text("detail", r.detail(), TextRules.Kind.FREE_TEXT)
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
    Actor actor =
        caller.isAdmin()
            ? new Actor(Actor.Kind.ADMIN, "*", "admin token")
            : Actor.github(caller.repository(), null);
    return answer(
        new ReleaseCommand.ReportStep(releaseId, status, r.detail(), actor),
        meta,
        scope(caller),
        false);
  }

  /** Runs a user action (approve, reject, rollback, cancel) and answers with the new view. */
  public Uni<Response> action(ReleaseCommand command, RequestMeta meta) {
    return answer(command, meta, null, false);
  }

  /**
   * Submits to the single writer (here or, forwarded, on the owning instance) and renders its
   * answer; both paths answer from the same results-topic JSON.
   */
  private Uni<Response> answer(
      ReleaseCommand command, RequestMeta meta, String scope, boolean create) {
    return Uni.createFrom()
        .completionStage(() -> writer.submit(command, meta, scope))
        .map(result -> render(result, create))
        .onFailure()
        .recoverWithItem(ReleaseCommands::unavailable);
  }

  private static String scope(Caller caller) {
    return caller.isAdmin() ? null : caller.repository();
  }

  static Response render(JsonNode result, boolean create) {
    JsonNode release = result.get("release");
    if ("accepted".equals(result.path("outcome").asText())) {
      boolean created = false;
      for (JsonNode type : result.path("events")) {
        created |= ReleaseEvent.ReleaseCreated.TYPE.equals(type.asText());
      }
      Response.ResponseBuilder b =
          create && created
              ? Response.created(
                  URI.create("/api/v1/releases/" + result.path("release_id").asText()))
              : Response.ok();
      return b.entity(release.toString()).type("application/json").build();
    }
    String reason = result.path("reason").asText();
    String detail = result.path("detail").asText();
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("reason", reason);
    if (release != null) {
      extra.put("current_status", release.path("status").asText());
      extra.put("version", release.path("version").asLong());
      extra.put("allowed_next", release.path("allowed_next"));
    }
    return switch (reason) {
      case "not_found" -> Problem.of(404, "release-not-found", "Release not found", detail, extra);
      case "illegal_transition" ->
          Problem.of(409, "illegal-transition", "Illegal transition", detail, extra);
      case "not_allowed" -> Problem.of(403, "forbidden", "Forbidden", detail, extra);
      case "stale" -> Problem.of(409, "stale", "Stale card", detail, extra);
      case "conflict" -> Problem.of(409, "conflict", "Conflict", detail, extra);
      default -> Problem.of(422, "validation", "Invalid request", detail, extra);
    };
  }

  private static Response unavailable(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof NotOwnerException || cause instanceof TimeoutException) {
      String detail =
          cause instanceof TimeoutException
              ? "the release log did not acknowledge the write in time; it may still land, and"
                  + " retrying is safe (creating a release and reporting a step are idempotent)"
              : cause.getMessage() + "; retry shortly";
      return Response.fromResponse(Problem.of(503, "unavailable", "Service unavailable", detail))
          .header("Retry-After", "1")
          .build();
    }
    if (cause instanceof RuntimeException re) {
      throw re;
    }
    throw new IllegalStateException(cause);
  }
}
