package dev.rmm.api.legacy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.api.auth.Caller;
import dev.rmm.api.auth.Roles;
import dev.rmm.api.problem.InvalidRequestException;
import dev.rmm.api.release.CreateReleaseRequest;
import dev.rmm.api.release.ReleaseCommands;
import dev.rmm.api.release.StepRequest;
import dev.rmm.api.writer.RequestMeta;
import dev.rmm.contracts.tracing.TraceContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;

/**
 * The original system's endpoints, so existing workflows migrate unchanged: {@code POST /release}
 * with the original column names, and {@code PATCH /release} with {@code release_id} and {@code
 * status}. Same rules, authentication and answers as the v1 API.
 */
@Path("/release")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class LegacyReleaseResource {

  private final ReleaseCommands commands;
  private final SecurityIdentity identity;

  LegacyReleaseResource(ReleaseCommands commands, SecurityIdentity identity) {
    this.commands = commands;
    this.identity = identity;
  }

  @POST
  @RolesAllowed({Roles.PIPELINE, Roles.ADMIN})
  public Uni<Response> create(JsonNode body) {
    Caller caller = Caller.of(identity);
    return commands.create(createRequest(body, caller), caller, meta());
  }

  @PATCH
  @RolesAllowed({Roles.PIPELINE, Roles.ADMIN})
  public Uni<Response> report(JsonNode body) {
    Update u = update(body);
    Caller caller = Caller.of(identity);
    return commands.step(u.releaseId(), u.step(), caller, meta());
  }

  /** A {@code PATCH /release} body: which release, and the step it reached. */
  public record Update(String releaseId, StepRequest step) {}

  /** The original column names of {@code POST /release} mapped onto the v1 request. */
  public static CreateReleaseRequest createRequest(JsonNode body, Caller caller) {
    JsonNode b = object(body);
    String repository = text(b, "repository");
    if (repository == null && !caller.isAdmin()) {
      repository = caller.repository();
    }
    return new CreateReleaseRequest(
        text(b, "service_name"),
        text(b, "release_tag"),
        text(b, "initiated_by"),
        text(b, "github_run_id"),
        text(b, "github_action_link"),
        text(b, "github_ref"),
        repository,
        text(b, "commit_sha") == null ? "0000000" : text(b, "commit_sha"));
  }

  public static Update update(JsonNode body) {
    JsonNode b = object(body);
    String id = text(b, "release_id");
    if (id == null) {
      throw InvalidRequestException.validation("'release_id' is required");
    }
    return new Update(id, new StepRequest(text(b, "status"), text(b, "detail")));
  }

  private static JsonNode object(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw InvalidRequestException.validation("the body must be a JSON object");
    }
    return body;
  }

  private static String text(JsonNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw InvalidRequestException.validation("'" + field + "' must be a string");
    }
    return v.asText();
  }

  private static RequestMeta meta() {
    String id = UUID.randomUUID().toString();
    return new RequestMeta(id, id, TraceContext.current());
  }
}
