package dev.rmm.api.auth;

import dev.rmm.api.problem.Problem;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every refusal of Quarkus security answered as RFC 9457 problem+json: 401 with {@code
 * WWW-Authenticate: Bearer} and the reason (no token, a token nobody accepts, an OIDC token's
 * defect), 403 with what the caller lacks. Two places raise them: the REST layer's
 * {@code @RolesAllowed} checks (mapped here) and the HTTP permissions of application.properties
 * that close every path not opened explicitly (the router's failure handler here).
 */
@ApplicationScoped
public class AuthProblems {

  static final String NO_TOKEN = "send the repository's token as 'Authorization: Bearer <token>'";
  static final String NOT_ADMIN =
      "user actions need an admin token ('*'); pipelines only create releases, report steps and"
          + " read their own repository's releases";
  static final String CLOSED =
      "nothing grants access to this endpoint: every door is closed unless a role is allowed";

  /** The web console's paths, whose refusals are pages, not problem+json. */
  private static final String CONSOLE = "/console";

  private final SecurityIdentity identity;

  AuthProblems(SecurityIdentity identity) {
    this.identity = identity;
  }

  void install(@Observes Router router) {
    router.route().order(Integer.MIN_VALUE).failureHandler(this::onFailure);
  }

  private void onFailure(RoutingContext rc) {
    Throwable f = rc.failure();
    // the web console answers its own refusals with pages (dev.rmm.api.console.ConsoleRefusals)
    if (rc.normalizedPath().startsWith(CONSOLE)) {
      rc.next();
      return;
    }
    if (rc.response().headWritten()
        || !(f instanceof AuthenticationException
            || f instanceof UnauthorizedException
            || f instanceof ForbiddenException)) {
      rc.next();
      return;
    }
    Problem.Json p =
        f instanceof ForbiddenException
            ? Problem.json(403, "forbidden", "Forbidden", forbiddenDetail(false))
            : Problem.json(401, "unauthorized", "Unauthorized", unauthorizedDetail(f));
    var response =
        rc.response()
            .setStatusCode(p.status())
            .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
    if (p.status() == 401) {
      response.putHeader(BearerAuthMechanism.WWW_AUTHENTICATE, BearerAuthMechanism.CHALLENGE);
    }
    response.end(p.body());
  }

  @ServerExceptionMapper
  public Response authenticationFailed(AuthenticationFailedException e) {
    return unauthorized(e);
  }

  @ServerExceptionMapper
  public Response authenticationIncomplete(AuthenticationCompletionException e) {
    return unauthorized(e);
  }

  @ServerExceptionMapper
  public Response unauthorized(UnauthorizedException e) {
    return unauthorized((Throwable) e);
  }

  /**
   * A pipeline at an admin door is told it needs the admin token; at a door no role opens (no
   * {@code @RolesAllowed}: denied by default) everyone is told that.
   */
  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e, ResourceInfo resource) {
    RolesAllowed roles =
        resource.getResourceMethod() == null
            ? null
            : resource.getResourceMethod().getAnnotation(RolesAllowed.class);
    boolean adminDoor = roles != null && List.of(roles.value()).contains(Roles.ADMIN);
    return Problem.of(
        403,
        "forbidden",
        "Forbidden",
        forbiddenDetail(adminDoor && identity.hasRole(Roles.PIPELINE)));
  }

  private static Response unauthorized(Throwable e) {
    return Response.fromResponse(
            Problem.of(401, "unauthorized", "Unauthorized", unauthorizedDetail(e)))
        .header(BearerAuthMechanism.WWW_AUTHENTICATE, BearerAuthMechanism.CHALLENGE)
        .build();
  }

  /**
   * Why a caller is not authenticated: an anonymous caller sent no bearer token; a failed
   * authentication carries its providers' reason.
   */
  private static String unauthorizedDetail(Throwable e) {
    if (!(e instanceof AuthenticationException)) {
      return NO_TOKEN;
    }
    String reason = e.getMessage();
    return reason == null || reason.isBlank() ? ApiTokenIdentityProvider.NOT_VALID : reason;
  }

  /** A pipeline lacks the admin role, or the caller met a door that no role opens. */
  private static String forbiddenDetail(boolean pipeline) {
    return pipeline ? NOT_ADMIN : CLOSED;
  }
}
