package dev.rmm.api.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * A bearer token from the {@code Authorization} header, handed by {@link BearerAuthMechanism} to
 * the one identity provider of its kind: a JWT to {@link GithubOidcIdentityProvider}, anything else
 * to {@link ApiTokenIdentityProvider}. (Quarkus picks providers by the request's class; two kinds
 * make the choice explicit instead of depending on provider order.)
 */
abstract sealed class BearerTokenRequest extends BaseAuthenticationRequest {

  private final String token;

  BearerTokenRequest(String token) {
    this.token = token;
  }

  String token() {
    return token;
  }

  /** The right request for {@code token}: GitHub's OIDC tokens are JWTs, rmm's own are not. */
  static BearerTokenRequest of(String token) {
    return OidcTokens.looksLikeJwt(token) ? new Oidc(token) : new Stored(token);
  }

  /** A token whose hash is configured in RMM_API_TOKENS (or no token rmm knows). */
  static final class Stored extends BearerTokenRequest {
    Stored(String token) {
      super(token);
    }
  }

  /** A JWT: a GitHub Actions OIDC token (or a forgery of one). */
  static final class Oidc extends BearerTokenRequest {
    Oidc(String token) {
      super(token);
    }
  }
}
