package dev.rmm.projector;

import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Operations for SREs: rebuild the read model from the log. Needs the admin token ({@link
 * AdminTokenMechanism}); every method declares its role, and anything else is closed by default.
 */
@Path("/admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

  private static final Logger LOG = Logger.getLogger(AdminResource.class);

  private final Rebuilder rebuilder;

  AdminResource(Rebuilder rebuilder) {
    this.rebuilder = rebuilder;
  }

  /**
   * Rebuilds the read model from offset 0 into a fresh schema, reports how it differs from the live
   * one at the same log position, and (unless {@code swap=false}) swaps it in.
   */
  @POST
  @Path("/rebuild")
  @Blocking
  @RolesAllowed(AdminTokenIdentityProvider.ADMIN)
  public Response rebuild(@QueryParam("swap") @DefaultValue("true") boolean swap) {
    try {
      return Response.ok(rebuilder.rebuild(swap)).build();
    } catch (Rebuilder.AlreadyRunning e) {
      return Response.status(409)
          .type("application/problem+json")
          .entity(
              Map.of(
                  "type",
                  "https://rmm.dev/problems/conflict",
                  "title",
                  "Conflict",
                  "status",
                  409,
                  "detail",
                  e.getMessage()))
          .build();
    } catch (Rebuilder.LiveBehind e) {
      LOG.warnf("Rebuild refused: %s", e.getMessage());
      return Response.status(503)
          .type("application/problem+json")
          .header("Retry-After", "30")
          .entity(
              Map.of(
                  "type",
                  "https://rmm.dev/problems/live-projection-behind",
                  "title",
                  "Live projection behind the log",
                  "status",
                  503,
                  "detail",
                  e.getMessage()))
          .build();
    } catch (RuntimeException e) {
      if (!PostgresAway.causedBy(e)) {
        throw e;
      }
      LOG.warnf(
          "Rebuild refused: PostgreSQL cannot be reached (%s); retry when it is back",
          e.getMessage());
      return Response.status(503)
          .type("application/problem+json")
          .header("Retry-After", "5")
          .entity(
              Map.of(
                  "type",
                  "https://rmm.dev/problems/read-model-unavailable",
                  "title",
                  "Read model unavailable",
                  "status",
                  503,
                  "detail",
                  "PostgreSQL (the read model) cannot be reached, so the rebuild did not"
                      + " finish; retry it when PostgreSQL is back"))
          .build();
    }
  }
}
