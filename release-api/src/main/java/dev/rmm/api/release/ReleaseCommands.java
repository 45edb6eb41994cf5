package dev.rmm.api.release;

import dev.rmm.api.auth.Caller;
import dev.rmm.api.policy.PolicyRegistry;
import dev.rmm.api.problem.InvalidRequestException;
import dev.rmm.api.problem.Problem;
import dev.rmm.api.writer.NotOwnerException;
import dev.rmm.api.writer.ReleaseWriter;
import dev.rmm.api.writer.RequestMeta;
import dev.rmm.api.writer.WriteResult;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

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
    return run(new ReleaseCommand.CreateRelease(spec, policy, actor), meta, null)
        .map(
            res -> {
              boolean created = !res.appended().isEmpty();
              Response.ResponseBuilder b =
                  created
                      ? Response.created(URI.create("/api/v1/releases/" + spec.releaseId()))
                      : Response.ok();
              return b.entity(ReleaseViews.of(res.state()).toString())
                  .type("application/json")
                  .build();
            })
        .onFailure(Refusal.class)
        .recoverWithItem(f -> ((Refusal) f).response);
  }

  public Uni<Response> step(String releaseId, StepRequest r, Caller caller, RequestMeta meta) {
    Validation.check().required("status", r.status()).orThrow();
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
    return respond(
        new ReleaseCommand.ReportStep(releaseId, status, r.detail(), actor),
        meta,
        repositoryGuard(caller));
  }

  /** Runs a user action (approve, reject, rollback, cancel) and answers with the new view. */
  public Uni<Response> action(ReleaseCommand command, RequestMeta meta) {
    return respond(command, meta, null);
  }

  private Uni<Response> respond(
      ReleaseCommand command, RequestMeta meta, Function<ReleaseState, Decision.Refused> guard) {
    return run(command, meta, guard)
        .map(
            res -> Response.ok(ReleaseViews.of(res.state()).toString(), "application/json").build())
        .onFailure(Refusal.class)
        .recoverWithItem(f -> ((Refusal) f).response);
  }

  /** Submits to the writer; a refusal becomes a {@link Refusal} failure carrying its answer. */
  Uni<WriteResult> run(
      ReleaseCommand command, RequestMeta meta, Function<ReleaseState, Decision.Refused> guard) {
    return Uni.createFrom()
        .completionStage(() -> writer.submit(command, meta, guard))
        .onFailure()
        .transform(ReleaseCommands::unavailable)
        .map(
            res -> {
              if (res.decision() instanceof Decision.Refused refused) {
                throw new Refusal(refusal(refused, res.state()));
              }
              return res;
            });
  }

  /** A pipeline token may only report for releases of its own repository. */
  private static Function<ReleaseState, Decision.Refused> repositoryGuard(Caller caller) {
    return state -> {
      if (!state.exists() || caller.mayWrite(state.spec().repository())) {
        return null;
      }
      return new Decision.Refused(
          Decision.Refusal.NOT_ALLOWED,
          "this token belongs to "
              + caller.repository()
              + " and cannot report for releases of "
              + state.spec().repository(),
          java.util.List.of());
    };
  }

  static Response refusal(Decision.Refused r, ReleaseState state) {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("reason", r.reason().name().toLowerCase(java.util.Locale.ROOT));
    if (state.exists()) {
      extra.put("current_status", state.status().wire());
      extra.put("version", state.version());
      extra.put(
          "allowed_next",
          ReleaseDecider.reportableNext(state.status()).stream().map(ReleaseStatus::wire).toList());
    }
    return switch (r.reason()) {
      case NOT_FOUND ->
          Problem.of(404, "release-not-found", "Release not found", r.detail(), extra);
      case INVALID -> Problem.of(422, "validation", "Invalid request", r.detail(), extra);
      case ILLEGAL_TRANSITION ->
          Problem.of(409, "illegal-transition", "Illegal transition", r.detail(), extra);
      case NOT_ALLOWED -> Problem.of(403, "forbidden", "Forbidden", r.detail(), extra);
      case STALE -> Problem.of(409, "stale", "Stale card", r.detail(), extra);
      case CONFLICT -> Problem.of(409, "conflict", "Conflict", r.detail(), extra);
    };
  }

  private static Throwable unavailable(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof NotOwnerException || cause instanceof TimeoutException) {
      String detail =
          cause instanceof TimeoutException
              ? "the release log did not acknowledge the write in time; it may still land, and"
                  + " retrying is safe (creating a release and reporting a step are idempotent)"
              : cause.getMessage() + "; retry shortly";
      return new Refusal(
          Response.fromResponse(Problem.of(503, "unavailable", "Service unavailable", detail))
              .header("Retry-After", "1")
              .build());
    }
    return cause;
  }

  /** A finished answer travelling as a failure through the Uni pipeline. */
  static final class Refusal extends RuntimeException {
    final transient Response response;

    Refusal(Response response) {
      super(null, null, false, false);
      this.response = response;
    }
  }
}
