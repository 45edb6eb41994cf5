package dev.rmm.api.auth;

import dev.rmm.api.problem.Problem;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Reads {@code Authorization: Bearer <token>} and asks the identity providers who it is. No header
 * (or another scheme) is an anonymous caller, which every API door refuses with 401 (see {@link
 * AuthProblems}, {@link #sendChallenge}); a token nobody accepts fails authentication with the
 * providers' reason.
 */
@ApplicationScoped
public class BearerAuthMechanism implements HttpAuthenticationMechanism {

  static final String WWW_AUTHENTICATE = "WWW-Authenticate";
  static final String CHALLENGE = "Bearer realm=\"rmm\"";

  @Override
  public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager ipm) {
    String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Uni.createFrom().nullItem();
    }
    BearerTokenRequest request = BearerTokenRequest.of(header.substring(7).strip());
    return ipm.authenticate(HttpSecurityUtils.setRoutingContextAttribute(request, context));
  }

  @Override
  public Uni<ChallengeData> getChallenge(RoutingContext context) {
    return Uni.createFrom()
        .item(new ChallengeData(401, BearerAuthMechanism.WWW_AUTHENTICATE, CHALLENGE));
  }

  /**
   * The answer to an anonymous caller at a closed door: the challenge header and a problem+json
   * body that says what to send (Quarkus' default would be an empty 401).
   */
  @Override
  public Uni<Boolean> sendChallenge(RoutingContext context) {
    Problem.Json p = Problem.json(401, "unauthorized", "Unauthorized", AuthProblems.NO_TOKEN);
    context
        .response()
        .setStatusCode(401)
        .putHeader(WWW_AUTHENTICATE, CHALLENGE)
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
        .end(p.body());
    return Uni.createFrom().item(true);
  }

  @Override
  public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
    return Set.of(BearerTokenRequest.Stored.class, BearerTokenRequest.Oidc.class);
  }
}
