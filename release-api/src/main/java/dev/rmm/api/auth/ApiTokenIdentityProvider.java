package dev.rmm.api.auth;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.contracts.ApiTokens;
import io.quarkus.runtime.Startup;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Per-repository bearer tokens. Only SHA-256 hashes are configured (RMM_API_TOKENS); a presented
 * token is hashed and compared in constant time. A repository's token gets the role {@link
 * Roles#PIPELINE}, the {@code *} entry the role {@link Roles#ADMIN}.
 *
 * <p>{@code @Startup}: a malformed RMM_API_TOKENS fails the start, not the first request.
 */
@ApplicationScoped
@Startup
public class ApiTokenIdentityProvider implements IdentityProvider<BearerTokenRequest.Stored> {

  private static final Logger LOG = Logger.getLogger(ApiTokenIdentityProvider.class);

  static final String NOT_VALID = "the bearer token is not valid";

  private final ApiTokens tokens;

  ApiTokenIdentityProvider(RmmApiConfig config) {
    this.tokens = ApiTokens.parse(config.api().tokens().orElse(""));
    if (tokens.isEmpty()) {
      LOG.warn(
          "No API tokens are configured (RMM_API_TOKENS): every API request will be refused"
              + " with 401.");
    }
  }

  @Override
  public Class<BearerTokenRequest.Stored> getRequestType() {
    return BearerTokenRequest.Stored.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      BearerTokenRequest.Stored request, AuthenticationRequestContext context) {
    Optional<String> repository = tokens.repositoryOf("Bearer " + request.token());
    if (repository.isEmpty()) {
      return Uni.createFrom().failure(new AuthenticationFailedException(NOT_VALID));
    }
    return Uni.createFrom().item(identity(repository.get(), null));
  }

  /** The identity of a pipeline of {@code repository}, or of the admin token ({@code *}). */
  static SecurityIdentity identity(String repository, String jobWorkflowRef) {
    return identity(repository, jobWorkflowRef, null);
  }

  /**
   * The identity of a pipeline whose OIDC token names the GitHub login that started the run ({@code
   * actor}, may be null).
   */
  static SecurityIdentity identity(String repository, String jobWorkflowRef, String actor) {
    boolean admin = ApiTokens.ANY_REPOSITORY.equals(repository);
    QuarkusSecurityIdentity.Builder b =
        QuarkusSecurityIdentity.builder()
            .setPrincipal(new QuarkusPrincipal(admin ? "admin" : repository))
            .addRole(admin ? Roles.ADMIN : Roles.PIPELINE)
            .addAttribute(Roles.REPOSITORY, repository);
    if (jobWorkflowRef != null) {
      b.addAttribute(Roles.JOB_WORKFLOW_REF, jobWorkflowRef);
    }
    if (actor != null) {
      b.addAttribute(Roles.ACTOR, actor);
    }
    return b.build();
  }
}
