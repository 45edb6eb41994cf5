package dev.rmm.projector;

import dev.rmm.contracts.ApiTokens;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Admin tokens, configured hashed exactly like release-api's (RMM_API_TOKENS); only admin ({@code
 * *}) entries are accepted here, and they carry the role {@link #ADMIN}. Any other token (a
 * repository's included) fails authentication: pipelines have nothing to do on the projector.
 */
@ApplicationScoped
public class AdminTokenIdentityProvider implements IdentityProvider<AdminTokenRequest> {

  /** The role of the admin token, named in {@code @RolesAllowed}. */
  public static final String ADMIN = "admin";

  static final String SEND_ADMIN_TOKEN =
      "send an admin token ('*' in RMM_API_TOKENS) as 'Authorization: Bearer'";

  private final ApiTokens tokens;

  AdminTokenIdentityProvider(ProjectorConfig config) {
    this.tokens = ApiTokens.parse(config.api().tokens().orElse(""));
  }

  @Override
  public Class<AdminTokenRequest> getRequestType() {
    return AdminTokenRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      AdminTokenRequest request, AuthenticationRequestContext context) {
    if (tokens
        .repositoryOf(request.authorization())
        .filter(ApiTokens.ANY_REPOSITORY::equals)
        .isEmpty()) {
      return Uni.createFrom().failure(new AuthenticationFailedException(SEND_ADMIN_TOKEN));
    }
    return Uni.createFrom()
        .item(
            QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("admin"))
                .addRole(ADMIN)
                .build());
  }
}
