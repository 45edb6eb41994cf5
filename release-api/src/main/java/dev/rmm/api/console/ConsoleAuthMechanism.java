package dev.rmm.api.console;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The console's login state: under {@code /console} only, the signed session cookie ({@link
 * SessionCookies}) is an identity with the role {@link ConsoleRoles#VIEWER}. Elsewhere it does
 * nothing, so the API's bearer tokens decide there and a cookie never reaches an API door.
 *
 * <p>A cookie that does not verify is logged (where it came from, never its value) and counts as no
 * cookie: the browser is sent to the login page, as is anyone without a session ({@link
 * #sendChallenge}). Its priority is above the bearer mechanism's so that its challenge, the
 * redirect, answers at the console's paths and the bearer's 401 problem+json everywhere else.
 */
@ApplicationScoped
public class ConsoleAuthMechanism implements HttpAuthenticationMechanism {

  private static final Logger LOG = Logger.getLogger(ConsoleAuthMechanism.class);

  /** Where the console lives. */
  static final String ROOT = "/console";

  static final String LOGIN = ROOT + "/login";

  static boolean isConsole(RoutingContext context) {
    String path = context.normalizedPath();
    return path.equals(ROOT) || path.startsWith(ROOT + "/");
  }

  @Override
  public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager ipm) {
    if (!isConsole(context)) {
      return Uni.createFrom().nullItem();
    }
    Cookie cookie = context.request().getCookie(SessionCookies.NAME);
    if (cookie == null || cookie.getValue().isEmpty()) {
      return Uni.createFrom().nullItem();
    }
    return ipm.authenticate(
            HttpSecurityUtils.setRoutingContextAttribute(
                new ConsoleSessionRequest(cookie.getValue()), context))
        .onFailure(AuthenticationFailedException.class)
        .recoverWithItem(
            () -> {
              LOG.warnf(
                  "Console: a session cookie that does not verify (changed, signed by another key"
                      + " or expired) from %s for %s; answered as no session",
                  context.request().remoteAddress(), context.normalizedPath());
              return null;
            });
  }

  @Override
  public Uni<ChallengeData> getChallenge(RoutingContext context) {
    return Uni.createFrom().item(new ChallengeData(303, HttpHeaders.LOCATION.toString(), LOGIN));
  }

  /** At the console's paths: to the login page. Elsewhere the next mechanism answers. */
  @Override
  public Uni<Boolean> sendChallenge(RoutingContext context) {
    if (!isConsole(context)) {
      return Uni.createFrom().item(false);
    }
    context.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, LOGIN).end();
    return Uni.createFrom().item(true);
  }

  @Override
  public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
    return Set.of(ConsoleSessionRequest.class);
  }

  @Override
  public int getPriority() {
    return DEFAULT_PRIORITY + 100;
  }
}
