package dev.rmm.api.console;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A console session cookie that verifies is a {@link ConsoleRoles#VIEWER}; any other (changed,
 * signed by another key, expired) fails authentication.
 */
@ApplicationScoped
public class ConsoleSessionIdentityProvider implements IdentityProvider<ConsoleSessionRequest> {

  private final ConsoleSessions sessions;

  ConsoleSessionIdentityProvider(ConsoleSessions sessions) {
    this.sessions = sessions;
  }

  @Override
  public Class<ConsoleSessionRequest> getRequestType() {
    return ConsoleSessionRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      ConsoleSessionRequest request, AuthenticationRequestContext context) {
    return sessions
        .verify(request.cookie())
        .<Uni<SecurityIdentity>>map(
            s ->
                Uni.createFrom()
                    .item(
                        QuarkusSecurityIdentity.builder()
                            .setPrincipal(new QuarkusPrincipal(s.subject()))
                            .addRole(ConsoleRoles.VIEWER)
                            .addAttribute(ConsoleRoles.SESSION, s)
                            .build()))
        .orElseGet(
            () ->
                Uni.createFrom()
                    .failure(
                        new AuthenticationFailedException(
                            "the console session cookie does not verify")));
  }
}
