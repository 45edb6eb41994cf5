package dev.rmm.api.auth;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.problem.Problem;
import dev.rmm.contracts.ApiTokens;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates every API request with a per-repository bearer token. Only SHA-256 hashes of the
 * tokens are configured (RMM_API_TOKENS); a presented token is hashed and compared in constant
 * time. A GitHub Actions OIDC token is accepted instead when its repository is allowed
 * (RMM_API_OIDC_REPOSITORIES; {@link OidcTokens}). Oversized bodies were refused before this runs
 * ({@link dev.rmm.api.problem.BodyLimits}).
 *
 * <p>Application-scoped (a client proxy) because REST filters are instantiated at static init, when
 * the runtime configuration with the tokens is not available yet; {@code @Startup} still parses the
 * tokens, and fails on a malformed entry, as the application starts.
 */
@ApplicationScoped
@Startup
public class TokenAuthFilter {

  public static final String CALLER = "rmm.caller";
  private static final Logger LOG = Logger.getLogger(TokenAuthFilter.class);

  private final ApiTokens tokens;
  private final Optional<OidcTokens> oidc;

  TokenAuthFilter(RmmApiConfig config) {
    this.tokens = ApiTokens.parse(config.api().tokens().orElse(""));
    this.oidc = OidcTokens.of(config.api().oidc());
    oidc.ifPresent(
        o ->
            LOG.infof(
                "GitHub Actions OIDC tokens are accepted from %s",
                config.api().oidc().repositories().orElse("")));
    if (tokens.isEmpty()) {
      LOG.warn(
          "No API tokens are configured (RMM_API_TOKENS): every API request will be refused"
              + " with 401.");
    }
  }

  @ServerRequestFilter(preMatching = true)
  public Optional<Response> authenticate(ContainerRequestContext ctx) {
    String path = ctx.getUriInfo().getPath();
    if (!(path.startsWith("/api/") || path.equals("/release") || path.startsWith("/release/"))) {
      return Optional.empty();
    }
    String header = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.of(
          unauthorized("send the repository's token as 'Authorization: Bearer <token>'"));
    }
    Optional<String> repository = tokens.repositoryOf(header);
    String bearer = header.substring(7).strip();
    if (repository.isEmpty() && oidc.isPresent() && OidcTokens.looksLikeJwt(bearer)) {
      OidcTokens.Result r = oidc.get().verify(bearer);
      if (r.refusal() != null) {
        return Optional.of(unauthorized(r.refusal()));
      }
      ctx.setProperty(CALLER, new Caller(r.repository(), r.jobWorkflowRef()));
      return Optional.empty();
    }
    if (repository.isEmpty()) {
      return Optional.of(unauthorized("the bearer token is not valid"));
    }
    ctx.setProperty(CALLER, new Caller(repository.get()));
    return Optional.empty();
  }

  private static Response unauthorized(String detail) {
    Response p = Problem.of(401, "unauthorized", "Unauthorized", detail);
    return Response.fromResponse(p)
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"rmm\"")
        .build();
  }
}
