package dev.rmm.api.auth;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/**
 * Test-only doors that someone forgot to secure: a REST resource with no security annotation and a
 * plain Vert.x route. {@link ClosedByDefaultTest} shows both are closed anyway.
 */
@Path("/api/v1/forgotten")
public class UnannotatedProbe {

  @GET
  public String read() {
    return "should never be answered";
  }

  @POST
  public String write(String body) {
    return "should never be answered";
  }

  /** A route below REST, added the way a later feature might. */
  @ApplicationScoped
  public static class PlainRoute {
    void install(@Observes Router router) {
      router.get("/forgotten-route").handler(rc -> rc.response().end("route answered"));
    }
  }
}
