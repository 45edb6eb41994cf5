package dev.rmm.api.release;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.api.auth.Caller;
import dev.rmm.api.policy.PolicyRegistry;
import dev.rmm.api.problem.Problem;
import dev.rmm.api.writer.ReleaseWriter;
import dev.rmm.api.writer.RequestMeta;
import dev.rmm.api.writer.WriteUnavailableException;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
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
    return answer(RequestCommands.create(r, caller, policies), meta, caller, true);
  }

  public Uni<Response> step(String releaseId, StepRequest r, Caller caller, RequestMeta meta) {
    return answer(RequestCommands.step(releaseId, r, caller), meta, caller, false);
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
      ReleaseCommand command, RequestMeta meta, Caller caller, boolean create) {
    // a pipeline acts only on its repository's releases, and only from the workflows its
    // service's policy lists (checked by the writer, which knows the release's service)
    String scope = caller == null ? null : scope(caller);
    String workflow = scope == null ? null : caller.jobWorkflowRef();
    return Uni.createFrom()
        .completionStage(() -> writer.submit(command, meta, scope, workflow))
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
    if (result.has("allowed_targets")) {
      extra.put("allowed_targets", result.get("allowed_targets"));
      extra.put("production_tag", result.get("production_tag"));
    }
    return switch (reason) {
      case "not_found" -> Problem.of(404, "release-not-found", "Release not found", detail, extra);
      case "illegal_transition" ->
          Problem.of(409, "illegal-transition", "Illegal transition", detail, extra);
      case "not_allowed" -> Problem.of(403, "forbidden", "Forbidden", detail, extra);
      case "stale" -> Problem.of(409, "stale", "Stale card", detail, extra);
      case "conflict" -> Problem.of(409, "conflict", "Conflict", detail, extra);
      case "target_not_allowed" ->
          Problem.of(
              409, "rollback-target-not-allowed", "Rollback target not allowed", detail, extra);
      case "expired", "unavailable" ->
          Response.fromResponse(Problem.of(503, "unavailable", "Service unavailable", detail))
              .header("Retry-After", "1")
              .build();
      default -> Problem.of(422, "validation", "Invalid request", detail, extra);
    };
  }

  private static Response unavailable(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof WriteUnavailableException || cause instanceof TimeoutException) {
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
