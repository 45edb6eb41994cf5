package dev.rmm.api.auth;

import dev.rmm.api.RmmApiConfig;
import io.quarkus.runtime.Startup;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * GitHub Actions OIDC tokens, when RMM_API_OIDC_REPOSITORIES allows some repositories: verified by
 * {@link OidcTokens} (signature by a published key, issuer, audience, expiry required, allowed
 * repository, {@code job_workflow_ref}). A verified token is a {@link Roles#PIPELINE} of its {@code
 * repository} claim; a refused one fails authentication with the reason, which the caller reads in
 * the 401.
 *
 * <p>{@code @Startup}: the signing keys start loading as the application starts, not at the first
 * request.
 */
@ApplicationScoped
@Startup
public class GithubOidcIdentityProvider implements IdentityProvider<BearerTokenRequest.Oidc> {

  private static final Logger LOG = Logger.getLogger(GithubOidcIdentityProvider.class);

  private final Optional<OidcTokens> oidc;

  GithubOidcIdentityProvider(RmmApiConfig config) {
    this.oidc = OidcTokens.of(config.api().oidc());
    oidc.ifPresent(
        o ->
            LOG.infof(
                "GitHub Actions OIDC tokens are accepted from %s",
                config.api().oidc().repositories().orElse("")));
  }

  @Override
  public Class<BearerTokenRequest.Oidc> getRequestType() {
    return BearerTokenRequest.Oidc.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      BearerTokenRequest.Oidc request, AuthenticationRequestContext context) {
    if (oidc.isEmpty()) {
      // no repository may use OIDC here: a JWT is just a token rmm does not know
      return Uni.createFrom()
          .failure(new AuthenticationFailedException(ApiTokenIdentityProvider.NOT_VALID));
    }
    OidcTokens.Result r = oidc.get().verify(request.token());
    if (r.refusal() != null) {
      return Uni.createFrom().failure(new AuthenticationFailedException(r.refusal()));
    }
    return Uni.createFrom()
        .item(ApiTokenIdentityProvider.identity(r.repository(), r.jobWorkflowRef(), r.actor()));
  }
}
