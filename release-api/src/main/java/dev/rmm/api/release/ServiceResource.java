package dev.rmm.api.release;

import dev.rmm.api.auth.Caller;
import dev.rmm.api.auth.Roles;
import dev.rmm.api.query.QueryJson;
import dev.rmm.api.query.QueryViews;
import dev.rmm.api.query.ReleaseQueries;
import dev.rmm.contracts.TextRules;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Per-service queries. */
@Path("/api/v1/services")
@Produces(MediaType.APPLICATION_JSON)
public class ServiceResource {

  private final ReleaseQueries queries;
  private final SecurityIdentity identity;

  ServiceResource(ReleaseQueries queries, SecurityIdentity identity) {
    this.queries = queries;
    this.identity = identity;
  }

  /** Tags of the service that reached production, newest first: the rollback picker's list. */
  @GET
  @Path("/{service}/deployed-tags")
  @RolesAllowed({Roles.PIPELINE, Roles.ADMIN})
  @APIResponse(
      responseCode = "200",
      description = "The service's deployed tags",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = QueryViews.DeployedTags.class)))
  public Uni<Response> deployedTags(@PathParam("service") String service) {
    Validation.check().text("service", service, TextRules.Kind.LINE).orThrow();
    // a pipeline reads its own repository's releases only
    String scope = Caller.of(identity).readScope();
    return queries.deployedTags(service, scope).map(n -> Response.ok(QueryJson.write(n)).build());
  }
}
