package dev.rmm.projector;

import io.quarkus.security.AuthenticationException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The projector's doors are for admins (docs/security.md): {@code Authorization: Bearer <token>} is
 * handed to {@link AdminTokenIdentityProvider}; without one the caller is anonymous, which every
 * closed door refuses. Every refusal is answered as problem+json: 401 with {@code WWW-Authenticate:
 * Bearer}, 403 for a door no role opens.
 */
@ApplicationScoped
public class AdminTokenMechanism implements HttpAuthenticationMechanism {

  private static final String WWW_AUTHENTICATE = "WWW-Authenticate";
  private static final String CHALLENGE = "Bearer realm=\"rmm\"";
  private static final String CLOSED =
      "nothing grants access to this endpoint: every door is closed unless a role is allowed";

  @Override
  public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager ipm) {
    String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null) {
      return Uni.createFrom().nullItem();
    }
    return ipm.authenticate(
        HttpSecurityUtils.setRoutingContextAttribute(new AdminTokenRequest(header), context));
  }

  @Override
  public Uni<ChallengeData> getChallenge(RoutingContext context) {
    return Uni.createFrom().item(new ChallengeData(401, WWW_AUTHENTICATE, CHALLENGE));
  }

  /** An anonymous caller at a closed door of the HTTP layer. */
  @Override
  public Uni<Boolean> sendChallenge(RoutingContext context) {
    write(context, 401);
    return Uni.createFrom().item(true);
  }

  @Override
  public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
    return Set.of(AdminTokenRequest.class);
  }

  /** Refusals of the HTTP layer's permissions (application.properties) as problem+json. */
  void install(@Observes Router router) {
    router
        .route()
        .order(Integer.MIN_VALUE)
        .failureHandler(
            rc -> {
              Throwable f = rc.failure();
              if (rc.response().headWritten()) {
                rc.next();
              } else if (f instanceof ForbiddenException) {
                write(rc, 403);
              } else if (f instanceof AuthenticationException
                  || f instanceof UnauthorizedException) {
                write(rc, 401);
              } else {
                rc.next();
              }
            });
  }

  /** Refusals of the REST layer's {@code @RolesAllowed} as problem+json. */
  @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
  public Response unauthorized() {
    return problem(401).header(WWW_AUTHENTICATE, CHALLENGE).build();
  }

  @ServerExceptionMapper(ForbiddenException.class)
  public Response forbidden() {
    return problem(403).build();
  }

  private static Response.ResponseBuilder problem(int status) {
    return Response.status(status).type("application/problem+json").entity(body(status));
  }

  private static Map<String, Object> body(int status) {
    return status == 401
        ? Map.of(
            "type",
            "https://rmm.dev/problems/unauthorized",
            "title",
            "Unauthorized",
            "status",
            401,
            "detail",
            AdminTokenIdentityProvider.SEND_ADMIN_TOKEN)
        : Map.of(
            "type",
            "https://rmm.dev/problems/forbidden",
            "title",
            "Forbidden",
            "status",
            403,
            "detail",
            CLOSED);
  }

  private static void write(RoutingContext rc, int status) {
    var response =
        rc.response()
            .setStatusCode(status)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json");
    if (status == 401) {
      response.putHeader(WWW_AUTHENTICATE, CHALLENGE);
    }
    response.end(io.vertx.core.json.JsonObject.mapFrom(body(status)).encode());
  }
}
