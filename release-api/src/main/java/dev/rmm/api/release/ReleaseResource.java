package dev.rmm.api.release;

import dev.rmm.api.auth.Caller;
import dev.rmm.api.auth.Roles;
import dev.rmm.api.problem.InvalidRequestException;
import dev.rmm.api.problem.Problem;
import dev.rmm.api.query.FreshReads;
import dev.rmm.api.query.QueryJson;
import dev.rmm.api.query.QueryViews;
import dev.rmm.api.query.ReleaseQueries;
import dev.rmm.api.writer.RequestMeta;
import dev.rmm.contracts.Outcome;
import dev.rmm.contracts.TextRules.Kind;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.contracts.tracing.TraceContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The release API for pipelines and tools: create, report steps, act, and query. Who may call each
 * method is declared with {@code @RolesAllowed} ({@link Roles}); the caller's repository comes from
 * the authenticated identity ({@link Caller#of}).
 */
@Path("/api/v1/releases")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ReleaseResource {

  private final ReleaseCommands commands;
  private final ReleaseQueries queries;

  private final FreshReads fresh;
  private final SecurityIdentity identity;

  ReleaseResource(
      ReleaseCommands commands,
      ReleaseQueries queries,
      FreshReads fresh,
      SecurityIdentity identity) {
    this.commands = commands;
    this.queries = queries;
    this.fresh = fresh;
    this.identity = identity;
  }

  /**
   * Creates a release (201), or returns the existing one for the same service + tag + run (200).
   */
  @POST
  @RolesAllowed({Roles.PIPELINE, Roles.ADMIN})
  public Uni<Response> create(CreateReleaseRequest body, @Context HttpHeaders h) {
    return commands.create(requireBody(body), caller(), meta(h));
  }

  /** Reports the status a release reached; 409 with the allowed next steps when illegal. */
  @POST
  @Path("/{id}/steps")
  @RolesAllowed({Roles.PIPELINE, Roles.ADMIN})
  public Uni<Response> step(@PathParam("id") String id, StepRequest body, @Context HttpHeaders h) {
    return commands.step(id, requireBody(body), caller(), meta(h));
  }

  /** An approver's approval, sent by an admin tool on their behalf (admin token only). */
  @POST
  @Path("/{id}/approvals")
  @RolesAllowed(Roles.ADMIN)
  public Uni<Response> approve(
      @PathParam("id") String id, ActionRequests.Approval body, @Context HttpHeaders h) {
    return commands.action(RequestCommands.approve(id, body), meta(h));
  }

  /** An approver's rejection with a reason (admin token only). */
  @POST
  @Path("/{id}/rejections")
  @RolesAllowed(Roles.ADMIN)
  public Uni<Response> reject(
      @PathParam("id") String id, ActionRequests.Rejection body, @Context HttpHeaders h) {
    return commands.action(RequestCommands.reject(id, body), meta(h));
  }

  /** An admin's rollback request to an earlier tag (admin token only). */
  @POST
  @Path("/{id}/rollback")
  @RolesAllowed(Roles.ADMIN)
  public Uni<Response> rollback(
      @PathParam("id") String id, ActionRequests.Rollback body, @Context HttpHeaders h) {
    return commands.action(RequestCommands.rollback(id, body), meta(h));
  }

  /** Cancels a release still on its way (admin token only). */
  @POST
  @Path("/{id}/cancel")
  @RolesAllowed(Roles.ADMIN)
  public Uni<Response> cancel(
      @PathParam("id") String id, ActionRequests.Cancellation body, @Context HttpHeaders h) {
    return commands.action(RequestCommands.cancel(id, body), meta(h));
  }

  /**
   * Releases by outcome (active, successful, failed, cancelled), newest first, paginated; a
   * pipeline sees its own repository's releases only.
   */
  @GET
  @RolesAllowed({Roles.PIPELINE, Roles.ADMIN})
  @APIResponse(
      responseCode = "200",
      description = "A page of releases",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = QueryViews.ReleaseList.class)))
  public Uni<Response> list(
      @QueryParam("outcome") @DefaultValue("active") String outcome,
      @QueryParam("service") String service,
      @QueryParam("page") @DefaultValue("1") int page,
      @QueryParam("size") @DefaultValue("20") int size) {
    Validation.check().text("service", service, Kind.LINE).orThrow();
    Outcome o =
        Arrays.stream(Outcome.values())
            .filter(v -> v.wire().equals(outcome.toLowerCase(Locale.ROOT)))
            .findFirst()
            .orElseThrow(
                () ->
                    InvalidRequestException.validation(
                        "outcome must be one of active, successful, failed, cancelled"));
    if (page < 1 || size < 1 || size > 100) {
      throw InvalidRequestException.validation("page starts at 1; size is between 1 and 100");
    }
    return queries
        .list(o, service, caller().readScope(), page, size)
        .map(n -> Response.ok(QueryJson.write(n)).build());
  }

  /**
   * One release from the read model. With {@code min_version} (the {@code version} a write
   * answered), it waits until the read model holds at least that version: read your writes.
   */
  @GET
  @Path("/{id}")
  @Operation(
      summary = "One release from the read model",
      description =
          "The release's row as release-projector keeps it (the fields of the list items)."
              + " role_quorum: the roles its policy requires beside the k of n (issue 15 point 3),"
              + " in the policy's order, each {role, required, approved, holders}: approvals"
              + " needed, approvals given that fill it (one approver fills one role only),"
              + " the Telegram ids of the approvers holding it; null when the policy names no"
              + " roles. initiator_login: the GitHub login the API authenticated for the pipeline"
              + " that created it (its OIDC token's actor claim), beside initiated_by, the text"
              + " the pipeline reported; null with a stored token. With min_version it waits"
              + " (up to 5 s, then 503) until the read model holds that version.")
  @RolesAllowed({Roles.PIPELINE, Roles.ADMIN})
  @APIResponse(
      responseCode = "200",
      description = "The release",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = ReleaseView.class)))
  public Uni<Response> get(
      @PathParam("id") String id, @QueryParam("min_version") String minVersion) {
    Validation.check().text("release_id", id, Kind.LINE).orThrow();
    String scope = caller().readScope();
    return fresh
        .atLeast(id, minVersion, () -> queries.release(id), ReleaseView::version)
        .map(n -> foundOr404(id, inScope(n, scope)));
  }

  /**
   * Every event of a release, in order, with who caused it and when; {@code min_version} as for
   * {@link #get}.
   */
  @GET
  @Path("/{id}/timeline")
  @RolesAllowed({Roles.PIPELINE, Roles.ADMIN})
  @APIResponse(
      responseCode = "200",
      description = "The release's events",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = QueryViews.Timeline.class)))
  public Uni<Response> timeline(
      @PathParam("id") String id, @QueryParam("min_version") String minVersion) {
    Validation.check().text("release_id", id, Kind.LINE).orThrow();
    String scope = caller().readScope();
    return fresh
        .atLeast(id, minVersion, () -> queries.timeline(id), QueryViews.Timeline::lastSequence)
        .flatMap(n -> scoped(id, n, scope))
        .map(n -> foundOr404(id, n));
  }

  /**
   * The release, or null when {@code scope} (a pipeline's repository; null: every one) may not see
   * it: another repository's release is answered like one that does not exist.
   */
  private static ReleaseView inScope(ReleaseView release, String scope) {
    if (release == null || scope == null) {
      return release;
    }
    return scope.equalsIgnoreCase(release.repository()) ? release : null;
  }

  /**
   * {@code view} (of release {@code id}), or null when a caller of {@code scope} may not see that
   * release: for a pipeline, one more read of the release's repository.
   */
  private <T> Uni<T> scoped(String id, T view, String scope) {
    if (view == null || scope == null) {
      return Uni.createFrom().item(view);
    }
    return queries.release(id).map(r -> r != null && inScope(r, scope) != null ? view : null);
  }

  /** The release's view as the answer, or 404 problem+json when the read model does not know it. */
  private static Response foundOr404(String id, Object view) {
    return view == null
        ? Problem.of(404, "release-not-found", "Release not found", "release " + id + " not found")
        : Response.ok(QueryJson.write(view)).build();
  }

  /**
   * What the release may be rolled back to (the tags the rollback request is checked against) and
   * what runs in production now: the rule of docs/security.md, "Rollback targets".
   */
  @GET
  @Path("/{id}/rollback-targets")
  @RolesAllowed({Roles.PIPELINE, Roles.ADMIN})
  @APIResponse(
      responseCode = "200",
      description = "The tags the release may be rolled back to",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = QueryViews.RollbackTargetList.class)))
  public Uni<Response> rollbackTargets(@PathParam("id") String id) {
    Validation.check().text("release_id", id, Kind.LINE).orThrow();
    String scope = caller().readScope();
    return queries
        .rollbackTargets(id)
        .flatMap(n -> scoped(id, n, scope))
        .map(n -> foundOr404(id, n));
  }

  private Caller caller() {
    return Caller.of(identity);
  }

  static RequestMeta meta(HttpHeaders h) {
    String requestId = h.getHeaderString("X-Request-Id");
    String correlation = h.getHeaderString("X-Correlation-Id");
    Validation.check()
        .text("X-Request-Id", requestId, Kind.LINE)
        .text("X-Correlation-Id", correlation, Kind.LINE)
        .orThrow();
    if (requestId == null || requestId.isBlank() || requestId.length() > 100) {
      requestId = UUID.randomUUID().toString();
    }
    if (correlation != null && correlation.length() > 100) {
      correlation = null;
    }
    // the request's server span, itself a child of the caller's traceparent header when it sent one
    String traceparent = TraceContext.current();
    return new RequestMeta(requestId, correlation == null ? requestId : correlation, traceparent);
  }

  static <T> T requireBody(T body) {
    return RequestCommands.requireBody(body);
  }
}
