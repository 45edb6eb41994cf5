package dev.rmm.api.console;

import io.quarkus.security.AuthenticationException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refusals of Quarkus security at the console's paths, answered for a browser: without a session
 * (none, or one that does not verify) to the login page; a forbidden door a plain 403. The API's
 * refusals stay problem+json ({@link dev.rmm.api.auth.AuthProblems}, which leaves these paths to
 * this handler).
 */
@ApplicationScoped
public class ConsoleRefusals {

  void install(@Observes Router router) {
    router
        .route(ConsoleAuthMechanism.ROOT + "*")
        .order(Integer.MIN_VALUE + 1)
        .failureHandler(this::onFailure);
  }

  private void onFailure(RoutingContext rc) {
    Throwable f = rc.failure();
    if (rc.response().headWritten() || !ConsoleAuthMechanism.isConsole(rc)) {
      rc.next();
      return;
    }
    if (f instanceof UnauthorizedException || f instanceof AuthenticationException) {
      rc.response()
          .setStatusCode(303)
          .putHeader(HttpHeaders.LOCATION, ConsoleAuthMechanism.LOGIN)
          .end();
      return;
    }
    if (f instanceof ForbiddenException) {
      rc.response()
          .setStatusCode(403)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain;charset=UTF-8")
          .end("403: this console page is not open to this login");
      return;
    }
    rc.next();
  }
}
