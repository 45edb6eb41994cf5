package dev.rmm.api.auth;

import static dev.rmm.api.support.Api.as;
import static dev.rmm.api.support.Api.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.sun.net.httpserver.HttpServer;
import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A workflow authenticates with its GitHub Actions OIDC token instead of a stored secret: rmm
 * checks the signature against the issuer's published keys (a local issuer here), the issuer, the
 * audience, the expiry and that the repository may use OIDC.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
@WithTestResource(OidcAuthTest.Issuer.class)
class OidcAuthTest {

  static final String ISSUER = "https://token.actions.githubusercontent.com";
  static KeyPair key;
  static KeyPair stranger;

  /** Serves the signing keys of a GitHub-like OIDC issuer, and allows acme/* to use OIDC. */
  public static class Issuer implements QuarkusTestResourceLifecycleManager {
    private HttpServer server;

    @Override
    public Map<String, String> start() {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        key = g.generateKeyPair();
        stranger = g.generateKeyPair();
        RSAPublicKey pub = (RSAPublicKey) key.getPublic();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String jwks =
            "{\"keys\":[{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"k1\",\"n\":\""
                + b64.encodeToString(unsigned(pub.getModulus().toByteArray()))
                + "\",\"e\":\""
                + b64.encodeToString(unsigned(pub.getPublicExponent().toByteArray()))
                + "\"}]}";
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
            "/.well-known/jwks",
            ex -> {
              byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
              ex.getResponseHeaders().add("Content-Type", "application/json");
              ex.sendResponseHeaders(200, body.length);
              ex.getResponseBody().write(body);
              ex.close();
            });
        server.start();
        return Map.of(
            "rmm.api.oidc.repositories",
            "acme/*",
            "rmm.api.oidc.jwks-url",
            "http://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/jwks");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    private static byte[] unsigned(byte[] b) {
      return b.length > 1 && b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
    }

    @Override
    public void stop() {
      server.stop(0);
    }
  }

  private static String token(KeyPair signer, String repository, String audience, Instant expires) {
    return token(
        signer,
        repository,
        audience,
        expires,
        repository + "/.github/workflows/release.yml@refs/tags/v1.0.0");
  }

  private static String token(
      KeyPair signer, String repository, String audience, Instant expires, String workflow) {
    return token(signer, repository, audience, expires, workflow, null);
  }

  /** A token whose {@code actor} claim (the login that started the run) is {@code actor}. */
  private static String token(
      KeyPair signer,
      String repository,
      String audience,
      Instant expires,
      String workflow,
      String actor) {
    var builder =
        JWT.create()
            .withKeyId("k1")
            .withIssuer(ISSUER)
            .withAudience(audience)
            .withSubject("repo:" + repository + ":ref:refs/tags/v1.0.0")
            .withClaim("repository", repository)
            .withClaim("job_workflow_ref", workflow)
            .withIssuedAt(Instant.now().minusSeconds(5));
    if (expires != null) {
      builder.withExpiresAt(expires);
    }
    if (actor != null) {
      builder.withClaim("actor", actor);
    }
    return builder.sign(
        Algorithm.RSA256((RSAPublicKey) signer.getPublic(), (RSAPrivateKey) signer.getPrivate()));
  }

  private static String valid(String repository) {
    return token(key, repository, "rmm", Instant.now().plusSeconds(300));
  }

  @BeforeEach
  void ready() {
    Api.awaitReady();
    // the keys are fetched in the background when the application starts
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                as(valid("acme/billing"))
                        .get("/api/v1/releases/00000000-0000-0000-0000-000000000000")
                        .statusCode()
                    != 401);
  }

  @Test
  void givenAnOidcTokenOfAnAllowedRepository_thenItActsForThatRepositoryOnly() {
    as(valid("acme/billing"))
        .body(Api.createBody(Api.newService(), "acme/billing"))
        .post("/api/v1/releases")
        .then()
        .statusCode(201)
        .body("status", equalTo("initiated"));
    assertProblem(
        as(valid("acme/billing"))
            .body(Api.createBody(Api.newService(), "acme/payments"))
            .post("/api/v1/releases"),
        403,
        "acme/billing");
  }

  @Test
  void givenABadOidcToken_thenItIsRefusedWithTheReason() {
    assertProblem(
        as(token(key, "other/repo", "rmm", Instant.now().plusSeconds(300))).get("/api/v1/releases"),
        401,
        "repository other/repo may not use OIDC tokens here");
    assertProblem(
        as(token(key, "acme/billing", "somebody-else", Instant.now().plusSeconds(300)))
            .get("/api/v1/releases"),
        401,
        "the OIDC token is not valid");
    assertProblem(
        as(token(key, "acme/billing", "rmm", Instant.now().minusSeconds(120)))
            .get("/api/v1/releases"),
        401,
        "the OIDC token is not valid");
    // no expiry: it would be good forever
    assertProblem(
        as(token(key, "acme/billing", "rmm", null)).get("/api/v1/releases"),
        401,
        "The Claim 'exp' is not present in the JWT");
    assertProblem(
        as(token(stranger, "acme/billing", "rmm", Instant.now().plusSeconds(300)))
            .get("/api/v1/releases"),
        401,
        "the OIDC token is not valid");
  }

  @Test
  void givenBillingBoundToAcmeBilling_whenAnotherRepositorysOidcTokenCreatesIt_then403AndNoWrite() {
    try (ReleaseLog log = new ReleaseLog()) {
      Map<Integer, Long> before = log.endOffsets();

      assertProblem(
          as(valid("acme/frontend"))
              .body(Api.createBody("billing", "acme/frontend"))
              .post("/api/v1/releases"),
          403,
          "service 'billing' is released only from acme/billing");

      assertThat(log.endOffsets()).isEqualTo(before);
    }
    as(valid("acme/billing"))
        .body(Api.createBody("billing", "acme/billing"))
        .post("/api/v1/releases")
        .then()
        .statusCode(201);
  }

  @Test
  void givenLedgersWorkflowAllowlist_thenOnlyItsReleaseWorkflowCreatesLedgerReleases() {
    as(valid("acme/billing"))
        .body(Api.createBody("ledger", "acme/billing"))
        .post("/api/v1/releases")
        .then()
        .statusCode(201);
    try (ReleaseLog log = new ReleaseLog()) {
      Map<Integer, Long> before = log.endOffsets();

      assertProblem(
          as(token(
                  key,
                  "acme/billing",
                  "rmm",
                  Instant.now().plusSeconds(300),
                  "acme/billing/.github/workflows/debug.yml@refs/heads/main"))
              .body(Api.createBody("ledger", "acme/billing"))
              .post("/api/v1/releases"),
          403,
          "the workflow acme/billing/.github/workflows/debug.yml@refs/heads/main may not release"
              + " service 'ledger'");
      assertProblem(
          as(Api.BILLING).body(Api.createBody("ledger", "acme/billing")).post("/api/v1/releases"),
          403,
          "a repository token cannot prove which workflow runs");

      assertThat(log.endOffsets()).isEqualTo(before);
    }
  }

  /**
   * The workflow list bound only the create: a ledger release created by release.yml could then be
   * moved through stage and on to manual testing by any workflow of acme/billing, or by its stored
   * repository token. Every later write by a pipeline is bound by the list too.
   */
  @Test
  void
      givenALedgerReleaseOfItsListedWorkflow_whenAnotherWorkflowOrARepositoryTokenReportsAStep_then403AndNoWrite() {
    String release = valid("acme/billing");
    String id = Api.create(release, Api.createBody("ledger", "acme/billing"));
    String debug =
        token(
            key,
            "acme/billing",
            "rmm",
            Instant.now().plusSeconds(300),
            "acme/billing/.github/workflows/debug.yml@refs/heads/main");
    try (ReleaseLog log = new ReleaseLog()) {
      Map<Integer, Long> before = log.endOffsets();

      assertProblem(
          Api.step(debug, id, "stage_building"),
          403,
          "the workflow acme/billing/.github/workflows/debug.yml@refs/heads/main may not act on"
              + " releases of service 'ledger'");
      assertProblem(
          Api.step(Api.BILLING, id, "stage_building"),
          403,
          "a repository token cannot prove which workflow runs");
      for (String token : new String[] {debug, Api.BILLING}) {
        assertProblem(
            as(token).body(Map.of("release_id", id, "status", "stage_building")).patch("/release"),
            403,
            "service 'ledger'");
      }

      assertThat(log.endOffsets()).isEqualTo(before);
    }
    Api.stepOk(release, id, "stage_building");
    as(release)
        .body(Map.of("release_id", id, "status", "stage_test_rollback"))
        .patch("/release")
        .then()
        .statusCode(200);
    // the admin token is not a pipeline: the list does not bind it
    Api.stepOk(Api.ADMIN, id, "manual_testing");
  }

  /**
   * Issue 15 point 3: the initiator is recognised from the pipeline's identity. The run's OIDC
   * token says (its {@code actor} claim) that Carol's work account started it, while the pipeline
   * reports "dave"; the policy file's people directory gives Carol that login, though catalog's
   * approver entry names no github_login. Carol may not approve; the others may.
   */
  @Test
  void givenAnOidcActorThatIsAnApproversLogin_whenThatApproverApproves_thenRefusedAsTheInitiator() {
    String carolsRun =
        token(
            key,
            "acme/catalog",
            "rmm",
            Instant.now().plusSeconds(300),
            "acme/catalog/.github/workflows/release.yml@refs/tags/v1.2.3",
            "carol-work");
    String id = Api.create(carolsRun, Api.createBody("catalog", "acme/catalog"));
    for (String s : new String[] {"stage_building", "stage_test_rollback", "manual_testing"}) {
      Api.stepOk(carolsRun, id, s);
    }

    assertProblem(Api.approve(id, 1003), 403, "Carol" + ReleaseDecider.INITIATOR_MAY_NOT_APPROVE);

    Api.approve(id, 2001).then().statusCode(200);
    try (ReleaseLog log = new ReleaseLog()) {
      EventEnvelope created = log.events(id).get(0);
      ReleaseEvent.ReleaseCreated c = (ReleaseEvent.ReleaseCreated) created.data();
      assertThat(c.spec().initiator()).isEqualTo("dave");
      assertThat(c.spec().initiatorLogin()).isEqualTo("carol-work");
      assertThat(created.actor().name()).isEqualTo("carol-work");
      assertThat(log.events(id))
          .extracting(EventEnvelope::data)
          .filteredOn(ReleaseEvent.ActionRefused.class::isInstance)
          .singleElement()
          .satisfies(
              e ->
                  assertThat(((ReleaseEvent.ActionRefused) e).detail())
                      .isEqualTo("Carol" + ReleaseDecider.INITIATOR_MAY_NOT_APPROVE));
    }
  }

  @Test
  void givenAnOidcActorClaimThatIsNoGithubLogin_whenItCreatesARelease_then422AndNoWrite() {
    String odd =
        token(
            key,
            "acme/catalog",
            "rmm",
            Instant.now().plusSeconds(300),
            "acme/catalog/.github/workflows/release.yml@refs/tags/v1.2.3",
            "carol\u202Ekrow");
    try (ReleaseLog log = new ReleaseLog()) {
      Map<Integer, Long> before = log.endOffsets();

      assertProblem(
          as(odd).body(Api.createBody("catalog", "acme/catalog")).post("/api/v1/releases"),
          422,
          "'actor' contains the bidirectional control character U+202E");

      assertThat(log.endOffsets()).isEqualTo(before);
    }
  }

  @Test
  void givenAnOidcTokenWithoutJobWorkflowRef_thenItIsRefused() {
    assertProblem(
        as(token(key, "acme/billing", "rmm", Instant.now().plusSeconds(300), null))
            .get("/api/v1/releases"),
        401,
        "the OIDC token has no job_workflow_ref claim");
  }
}
