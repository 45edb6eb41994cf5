package dev.rmm.api.release;

import dev.rmm.api.query.ReleaseQueries;
import dev.rmm.contracts.TextRules;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Per-service queries. */
@Path("/api/v1/services")
@Produces(MediaType.APPLICATION_JSON)
public class ServiceResource {

  private final ReleaseQueries queries;

  ServiceResource(ReleaseQueries queries) {
    this.queries = queries;
  }

  /** Tags of the service that reached production, newest first: the rollback picker's list. */
  @GET
  @Path("/{service}/deployed-tags")
  public Uni<Response> deployedTags(
      @PathParam("service") String service, @Context ContainerRequestContext ctx) {
    Validation.check().text("service", service, TextRules.Kind.LINE).orThrow();
    // a pipeline reads its own repository's releases only
    String scope = ReleaseResource.caller(ctx).readScope();
    return queries.deployedTags(service, scope).map(n -> Response.ok(n.toString()).build());
  }
}
