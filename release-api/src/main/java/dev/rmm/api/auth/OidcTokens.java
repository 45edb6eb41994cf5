package dev.rmm.api.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.RegisteredClaims;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.api.RmmApiConfig;
import dev.rmm.contracts.EventCodec;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Verifies GitHub Actions OIDC tokens: RS256 signature by one of the issuer's published keys,
 * issuer, audience, expiry, and a {@code repository} claim that the configuration allows. The
 * signing keys are fetched in the background and cached, so a request never waits for GitHub; a
 * token signed with a key not seen yet triggers a refresh (at most one a minute) and is refused
 * until it arrives.
 */
final class OidcTokens {

  private static final Logger LOG = Logger.getLogger(OidcTokens.class);
  private static final Duration REFRESH_GAP = Duration.ofMinutes(1);

  /**
   * The outcome: the repository and the workflow that asked, or why the token is refused.
   *
   * @param actor the token's {@code actor} claim (the GitHub login that started the run), or null
   *     when it has none; its shape is checked where it is used ({@code RequestCommands.create})
   */
  record Result(String repository, String jobWorkflowRef, String refusal, String actor) {

    Result(String repository, String jobWorkflowRef, String refusal) {
      this(repository, jobWorkflowRef, refusal, null);
    }
  }

  private final List<Pattern> allowed;
  private final String issuer;
  private final String audience;
  private final URI jwks;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, RSAPublicKey> keys = new ConcurrentHashMap<>();
  private final AtomicLong lastRefresh = new AtomicLong();

  private OidcTokens(List<Pattern> allowed, RmmApiConfig.Oidc config) {
    this.allowed = allowed;
    this.issuer = config.issuer();
    this.audience = config.audience();
    this.jwks = URI.create(config.jwksUrl().orElse(issuer + "/.well-known/jwks"));
  }

  /** The verifier, or empty when no repository may use OIDC. */
  static Optional<OidcTokens> of(RmmApiConfig.Oidc config) {
    List<Pattern> allowed =
        config.repositories().stream()
            .flatMap(r -> List.of(r.split(",")).stream())
            .map(String::strip)
            .filter(r -> !r.isEmpty())
            .map(
                r ->
                    Pattern.compile(
                        Pattern.quote(r).replace("*", "\\E[^/]+\\Q"), Pattern.CASE_INSENSITIVE))
            .toList();
    if (allowed.isEmpty()) {
      return Optional.empty();
    }
    OidcTokens t = new OidcTokens(allowed, config);
    t.refreshInBackground();
    return Optional.of(t);
  }

  /** Whether a bearer token has the shape of a JWT (and so is not a repository token). */
  static boolean looksLikeJwt(String token) {
    return token.chars().filter(c -> c == '.').count() == 2 && token.startsWith("ey");
  }

  Result verify(String token) {
    DecodedJWT jwt;
    try {
      jwt = JWT.decode(token);
    } catch (JWTDecodeException e) {
      return new Result(null, null, "the bearer token is not a readable JWT");
    }
    RSAPublicKey key = jwt.getKeyId() == null ? null : keys.get(jwt.getKeyId());
    if (key == null) {
      refreshInBackground();
      return new Result(
          null, null, "the OIDC token's signing key is not known (yet); retry shortly");
    }
    try {
      DecodedJWT ok =
          JWT.require(Algorithm.RSA256(key, null))
              .withIssuer(issuer)
              .withAudience(audience)
              // a token without an expiry would be good forever: GitHub's always carry one
              .withClaimPresence(RegisteredClaims.EXPIRES_AT)
              .acceptLeeway(30)
              .build()
              .verify(token);
      String repository = ok.getClaim("repository").asString();
      if (repository == null || allowed.stream().noneMatch(p -> p.matcher(repository).matches())) {
        return new Result(null, null, "repository " + repository + " may not use OIDC tokens here");
      }
      String workflow = ok.getClaim("job_workflow_ref").asString();
      if (workflow == null || workflow.isBlank()) {
        return new Result(
            null, null, "the OIDC token has no job_workflow_ref claim; GitHub's always carry one");
      }
      return new Result(repository, workflow, null, ok.getClaim("actor").asString());
    } catch (JWTVerificationException e) {
      return new Result(null, null, "the OIDC token is not valid: " + e.getMessage());
    }
  }

  private void refreshInBackground() {
    long now = System.nanoTime();
    long last = lastRefresh.get();
    if (last != 0 && now - last < REFRESH_GAP.toNanos() || !lastRefresh.compareAndSet(last, now)) {
      return;
    }
    Thread t = new Thread(this::refresh, "rmm-oidc-keys");
    t.setDaemon(true);
    t.start();
  }

  private void refresh() {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(jwks).timeout(Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        LOG.warnf("Fetching the OIDC signing keys from %s: %d", jwks, r.statusCode());
        return;
      }
      int loaded = 0;
      for (JsonNode k : EventCodec.mapper().readTree(r.body()).path("keys")) {
        if ("RSA".equals(k.path("kty").asText()) && k.hasNonNull("kid")) {
          keys.put(k.get("kid").asText(), rsa(k.path("n").asText(), k.path("e").asText()));
          loaded++;
        }
      }
      LOG.infof("Loaded %d OIDC signing keys from %s", loaded, jwks);
    } catch (Exception e) {
      LOG.warnf("Fetching the OIDC signing keys from %s failed: %s", jwks, e.getMessage());
    }
  }

  private static RSAPublicKey rsa(String n, String e) throws Exception {
    Base64.Decoder d = Base64.getUrlDecoder();
    return (RSAPublicKey)
        KeyFactory.getInstance("RSA")
            .generatePublic(
                new RSAPublicKeySpec(
                    new BigInteger(1, d.decode(n)), new BigInteger(1, d.decode(e))));
  }
}
