package dev.rmm.orchestrator.github;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.EventCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * A GitHub App installation as {@link Credentials}: an RS256 JWT signed with the App's private key
 * (issued 60 s in the past against clock drift, valid 9 minutes, as GitHub requires at most 10)
 * buys an installation token ({@code POST /app/installations/{id}/access_tokens}), which is reused
 * until five minutes before it expires.
 */
public final class GitHubApp implements Credentials {

  private final String api;
  private final String userAgent;
  private final String appId;
  private final long installationId;
  private final RSAPrivateKey key;
  private final HttpClient http = HttpClient.newHttpClient();
  private String token;
  private Instant expiresAt = Instant.EPOCH;

  /**
   * @param privateKeyPem the App's private key as GitHub hands it out (PKCS#1 {@code BEGIN RSA
   *     PRIVATE KEY}) or as PKCS#8
   */
  public GitHubApp(
      String apiUrl, String userAgent, String appId, long installationId, String privateKeyPem) {
    this.api = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    this.userAgent = userAgent;
    this.appId = appId;
    this.installationId = installationId;
    this.key = parse(privateKeyPem);
  }

  @Override
  public synchronized String token() throws AuthException {
    Instant now = Instant.now();
    if (token != null && now.isBefore(expiresAt.minus(Duration.ofMinutes(5)))) {
      return token;
    }
    String jwt =
        JWT.create()
            .withIssuer(appId)
            .withIssuedAt(now.minusSeconds(60))
            .withExpiresAt(now.plus(Duration.ofMinutes(9)))
            .sign(Algorithm.RSA256(null, key));
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(api + "/app/installations/" + installationId + "/access_tokens"))
            .timeout(Duration.ofSeconds(30))
            .header("Accept", "application/vnd.github+json")
            .header("Authorization", "Bearer " + jwt)
            .header("X-GitHub-Api-Version", "2022-11-28")
            .header("User-Agent", userAgent)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode body = r.body().isBlank() ? null : EventCodec.mapper().readTree(r.body());
      if (r.statusCode() != 201 || body == null || !body.hasNonNull("token")) {
        throw new AuthException(
            r.statusCode(),
            "GitHub App "
                + appId
                + " got no token for installation "
                + installationId
                + ": "
                + (body == null ? r.body() : body.path("message").asText(r.body())));
      }
      token = body.get("token").asText();
      expiresAt = Instant.parse(body.path("expires_at").asText(now.plusSeconds(3600).toString()));
      return token;
    } catch (IOException e) {
      throw new AuthException(0, "GitHub unreachable for the App token: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuthException(0, "interrupted");
    }
  }

  private static RSAPrivateKey parse(String pem) {
    try {
      Iterable<KeyPair> pairs =
          SecurityUtils.loadKeyPairIdentities(
              null,
              NamedResource.ofName("GitHub App private key"),
              new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)),
              null);
      Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
      if (it == null || !it.hasNext() || !(it.next().getPrivate() instanceof RSAPrivateKey k)) {
        throw new IllegalArgumentException("the GitHub App private key is not an RSA key");
      }
      return k;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("unreadable GitHub App private key: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "GitHub App " + appId + " (installation " + installationId + ")";
  }
}
