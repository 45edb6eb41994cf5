package dev.rmm.api.auth;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static dev.rmm.api.support.Api.PROBLEM_JSON;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.api.support.Api;
import dev.rmm.api.support.CommandsOverKafka;
import dev.rmm.api.support.ReadModelStandIn;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13, point 12: the authorization matrix of docs/security.md ("Doors and who may pass") as
 * one table. Every HTTP door of release-api against every kind of caller, and every command type on
 * the gateway's and the orchestrator's commands topics from the principal that may not send it,
 * with the expected answer written in the table. Every refusal is checked to write nothing: the end
 * offsets of the release log do not move.
 *
 * <p>Cells proven elsewhere, and referenced from docs/security.md: the Kafka ACLs themselves (which
 * principal may write which topic; {@code KafkaAclsTest} in deploy/infra, a broker with SCRAM and
 * the standard authorizer), each sender's own commands being accepted ({@code KafkaCommandsTest}),
 * the projector's rebuild ({@code AdminDoorMatrixTest} in release-projector, another application)
 * and Telegram's buttons ({@code AccessTest} in telegram-gateway).
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
@WithTestResource(OidcAuthTest.Issuer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixTest {

  /** Who knocks, and the credential they hold. */
  enum Knocker {
    /** No Authorization header at all. */
    NONE(null),
    /** acme/frontend's repository token, at doors of acme/billing's releases. */
    OTHER_REPOSITORY("frontend-token"),
    /** acme/billing's own repository token: the service's pipeline. */
    PIPELINE(BILLING),
    /** A valid GitHub Actions OIDC token, but of acme/frontend. */
    OIDC_OTHER_REPOSITORY(null),
    /** The admin token ({@code *}). */
    ADMIN_TOKEN(ADMIN),
    /** deploy-orchestrator holds Kafka credentials only; it has no API token to present. */
    ORCHESTRATOR("rmm-orchestrator:kafka-scram-secret"),
    /** telegram-gateway likewise: its Kafka secret is no API token. */
    GATEWAY("rmm-gateway:kafka-scram-secret");

    private final String token;

    Knocker(String token) {
      this.token = token;
    }

    RequestSpecification request() {
      RequestSpecification r = given().contentType(ContentType.JSON);
      if (this == OIDC_OTHER_REPOSITORY) {
        return r.auth().oauth2(oidcToken("acme/frontend"));
      }
      return token == null ? r : r.auth().oauth2(token);
    }
  }

  /** Which release a door acts on: one just created, or one waiting for approvals. */
  enum Subject {
    NONE,
    INITIATED,
    IN_MANUAL_TESTING
  }

  /** An HTTP door: how to knock on it about release {@code id}. */
  enum Door {
    CREATE(Subject.NONE, (k, id) -> k.request().body(create()).post("/api/v1/releases")),
    STEP(
        Subject.INITIATED,
        (k, id) ->
            k.request()
                .body(Map.of("status", "stage_building"))
                .post("/api/v1/releases/{id}/steps", id)),
    LEGACY_CREATE(Subject.NONE, (k, id) -> k.request().body(legacyCreate()).post("/release")),
    LEGACY_STEP(
        Subject.INITIATED,
        (k, id) ->
            k.request()
                .body(Map.of("release_id", id, "status", "stage_building"))
                .patch("/release")),
    APPROVE(
        Subject.IN_MANUAL_TESTING,
        (k, id) ->
            k.request()
                .body(Map.of("telegram_user_id", 1001, "name", "Alice"))
                .post("/api/v1/releases/{id}/approvals", id)),
    REJECT(
        Subject.IN_MANUAL_TESTING,
        (k, id) ->
            k.request()
                .body(Map.of("telegram_user_id", 1001, "name", "Alice", "reason", "broken"))
                .post("/api/v1/releases/{id}/rejections", id)),
    ROLLBACK(
        Subject.IN_MANUAL_TESTING,
        (k, id) ->
            k.request()
                .body(Map.of("telegram_user_id", 1002, "name", "Bob", "target_tag", "v1.0.0"))
                .post("/api/v1/releases/{id}/rollback", id)),
    CANCEL(
        Subject.IN_MANUAL_TESTING,
        (k, id) ->
            k.request()
                .body(Map.of("reason", "superseded by hand"))
                .post("/api/v1/releases/{id}/cancel", id)),
    LIST(
        Subject.IN_MANUAL_TESTING,
        (k, id) -> k.request().get("/api/v1/releases?outcome=active&size=100")),
    GET(Subject.IN_MANUAL_TESTING, (k, id) -> k.request().get("/api/v1/releases/{id}", id)),
    TIMELINE(
        Subject.IN_MANUAL_TESTING,
        (k, id) -> k.request().get("/api/v1/releases/{id}/timeline", id)),
    ROLLBACK_TARGETS(
        Subject.IN_MANUAL_TESTING,
        (k, id) -> k.request().get("/api/v1/releases/{id}/rollback-targets", id)),
    DEPLOYED_TAGS(
        Subject.IN_MANUAL_TESTING,
        (k, id) -> k.request().get("/api/v1/services/billing/deployed-tags"));

    private final Subject subject;
    private final java.util.function.BiFunction<Knocker, String, Response> knock;

    Door(Subject subject, java.util.function.BiFunction<Knocker, String, Response> knock) {
      this.subject = subject;
      this.knock = knock;
    }
  }

  /**
   * The matrix: one row per door, one answer per {@link Knocker}, in its order (none, another
   * repository, the pipeline, another repository's OIDC token, the admin token, the orchestrator,
   * the gateway). 401 and 403 refuse at the door; 404 is another repository's release answered as
   * if it did not exist; 409 passed the door and was refused by the state machine.
   */
  private static final Map<Door, int[]> EXPECTED = new LinkedHashMap<>();

  static {
    //                                 none other pipe  oidc admin orch gateway
    EXPECTED.put(Door.CREATE, new int[] {401, 403, 201, 403, 201, 401, 401});
    EXPECTED.put(Door.STEP, new int[] {401, 403, 200, 403, 200, 401, 401});
    EXPECTED.put(Door.LEGACY_CREATE, new int[] {401, 403, 201, 403, 201, 401, 401});
    EXPECTED.put(Door.LEGACY_STEP, new int[] {401, 403, 200, 403, 200, 401, 401});
    EXPECTED.put(Door.APPROVE, new int[] {401, 403, 403, 403, 200, 401, 401});
    EXPECTED.put(Door.REJECT, new int[] {401, 403, 403, 403, 200, 401, 401});
    EXPECTED.put(Door.ROLLBACK, new int[] {401, 403, 403, 403, 409, 401, 401});
    EXPECTED.put(Door.CANCEL, new int[] {401, 403, 403, 403, 200, 401, 401});
    EXPECTED.put(Door.LIST, new int[] {401, 200, 200, 200, 200, 401, 401});
    EXPECTED.put(Door.GET, new int[] {401, 404, 200, 404, 200, 401, 401});
    EXPECTED.put(Door.TIMELINE, new int[] {401, 404, 200, 404, 200, 401, 401});
    EXPECTED.put(Door.ROLLBACK_TARGETS, new int[] {401, 404, 200, 404, 200, 401, 401});
    EXPECTED.put(Door.DEPLOYED_TAGS, new int[] {401, 200, 200, 200, 200, 401, 401});
  }

  static Stream<Arguments> httpCells() {
    return EXPECTED.entrySet().stream()
        .flatMap(
            row ->
                IntStream.range(0, Knocker.values().length)
                    .mapToObj(
                        i -> Arguments.of(row.getKey(), Knocker.values()[i], row.getValue()[i])));
  }

  @Inject Pool pg;

  private ReleaseLog log;
  private ReadModelStandIn readModel;
  private CommandsOverKafka kafka;
  private String kafkaSubject;

  /** Once per class, but in a @BeforeEach: Quarkus sets RestAssured's port only for tests. */
  @BeforeEach
  void setUpOnce() {
    if (log != null) {
      return;
    }
    Api.awaitReady();
    // the OIDC issuer's keys are fetched in the background when the application starts
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                Knocker.OIDC_OTHER_REPOSITORY
                        .request()
                        .get("/api/v1/releases?outcome=active")
                        .statusCode()
                    != 401);
    log = new ReleaseLog();
    readModel = new ReadModelStandIn(pg);
    readModel.create();
    kafka = new CommandsOverKafka(log, Duration.ofSeconds(30));
    kafkaSubject = Api.releaseInManualTesting(BILLING_REPO);
  }

  @AfterAll
  void tearDown() {
    kafka.close();
    readModel.drop(); // the other tests run without a read model
    log.close();
  }

  @ParameterizedTest(name = "{0} by {1}: {2}")
  @MethodSource("httpCells")
  void givenAnHttpDoor_whenACallerKnocks_thenTheAnswerIsTheMatrixCell(
      Door door, Knocker knocker, int expected) {
    String id = subject(door, expected);
    Map<Integer, Long> before = log.endOffsets();

    Response r = door.knock.apply(knocker, id);

    assertThat(r.statusCode()).as("%s by %s: %s", door, knocker, r.asString()).isEqualTo(expected);
    if (expected >= 400) {
      assertThat(r.contentType()).startsWith(PROBLEM_JSON);
      assertThat(r.jsonPath().getString("detail")).isNotBlank();
    }
    if (expected == 401) {
      assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
    }
    if (expected == 401 || expected == 403 || expected == 404) {
      assertThat(log.endOffsets()).as("a refusal writes nothing").isEqualTo(before);
    }
    if (id != null
        && expected == 200
        && (knocker == Knocker.OTHER_REPOSITORY || knocker == Knocker.OIDC_OTHER_REPOSITORY)) {
      // a list or the deployed tags answered to another repository leave the release out
      assertThat(r.asString()).as("another repository learns nothing of it").doesNotContain(id);
    }
  }

  /** The doors that only read: a knock on them changes no release. */
  private static final Set<Door> QUERIES =
      EnumSet.of(Door.LIST, Door.GET, Door.TIMELINE, Door.ROLLBACK_TARGETS, Door.DEPLOYED_TAGS);

  /** One release of each kind shared by the cells that cannot change it. */
  private final Map<Subject, String> shared = new EnumMap<>(Subject.class);

  /**
   * The release a cell knocks about: a new one when the cell is a write the door lets through (it
   * moves the release on, so the next cell would find it in another status), else the one release
   * of that kind shared by every refusal and query (a refusal that wrote anyway is still caught by
   * the log's end offsets). Making a release in manual testing takes four writes and a read of its
   * partition, so sharing it makes 10 releases for the 77 cells that need one.
   */
  private String subject(Door door, int expected) {
    if (door.subject == Subject.NONE) {
      return null;
    }
    if (!QUERIES.contains(door) && expected < 400) {
      return subject(door.subject);
    }
    return shared.computeIfAbsent(door.subject, this::subject);
  }

  /** A new release for the door to act on, mirrored into the read model so queries can find it. */
  private String subject(Subject s) {
    String id =
        switch (s) {
          case NONE -> null;
          case INITIATED -> Api.createRelease(BILLING_REPO);
          case IN_MANUAL_TESTING -> Api.releaseInManualTesting(BILLING_REPO);
        };
    if (id != null) {
      readModel.mirror(log, id);
      pg.preparedQuery(
              "INSERT INTO read_model.release_events (release_id, sequence, event_id, type,"
                  + " occurred_at, actor_kind, actor_id, data, kafka_partition, kafka_offset)"
                  + " VALUES ($1, 1, $2, 'release.created.v1', now(), 'github', 'x', '{}', 0, 0)")
          .execute(Tuple.of(id, "e-" + id))
          .await()
          .atMost(Duration.ofSeconds(10));
    }
    return id;
  }

  /** The gateway's and the orchestrator's commands topics: which principal writes them. */
  enum Principal {
    GATEWAY,
    ORCHESTRATOR;

    String topic() {
      return this == GATEWAY
          ? ReleaseLog.gatewayCommandsTopic()
          : ReleaseLog.orchestratorCommandsTopic();
    }
  }

  /**
   * Every command type, as its rightful sender would send it ({@code actor}), for release {@code
   * id}. {@code actor} lets a row forge the actor kind.
   */
  private static final Map<String, java.util.function.BiFunction<String, Actor, ReleaseCommand>>
      COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put(
        "CreateRelease",
        (id, a) ->
            new ReleaseCommand.CreateRelease(
                new ReleaseSpec(
                    "billing",
                    "v6.6.6",
                    "mallory",
                    String.valueOf(ThreadLocalRandom.current().nextLong(1, 1L << 40)),
                    "https://github.com/evil/repo/actions/runs/1",
                    "refs/heads/evil",
                    "evil/repo",
                    "0123456789abcdef0123456789abcdef01234567"),
                new ApprovalPolicy(
                    List.of(new ApprovalPolicy.Approver(666, "Mallory", null)),
                    1,
                    true,
                    List.of(666L),
                    true),
                a));
    COMMANDS.put(
        "ReportStep", (id, a) -> new ReleaseCommand.ReportStep(id, ReleaseStatus.DEPLOYED, "", a));
    COMMANDS.put("Approve", (id, a) -> new ReleaseCommand.Approve(id, 1001, null, a));
    COMMANDS.put("Reject", (id, a) -> new ReleaseCommand.Reject(id, 1001, "no", null, a));
    COMMANDS.put(
        "RequestRollback", (id, a) -> new ReleaseCommand.RequestRollback(id, 1002, "v1", null, a));
    COMMANDS.put("CancelRelease", (id, a) -> new ReleaseCommand.CancelRelease(id, "no", a));
    COMMANDS.put(
        "StartDispatch",
        (id, a) ->
            new ReleaseCommand.StartDispatch(
                id, "d-forged", "evil/repo", "deploy.yml", "refs/heads/evil", a));
    COMMANDS.put(
        "RecordDispatch",
        (id, a) -> new ReleaseCommand.RecordDispatch(id, "d-forged", true, 204, "", 1, a));
    COMMANDS.put(
        "StartRunbook", (id, a) -> new ReleaseCommand.StartRunbook(id, "r-forged", "prod-1", a));
    COMMANDS.put(
        "RecordRunbookStep",
        (id, a) ->
            new ReleaseCommand.RecordRunbookStep(
                id, "r-forged", "checkout", "rm -rf /", 0, 1, "", true, a));
    COMMANDS.put(
        "FinishRunbook",
        (id, a) -> new ReleaseCommand.FinishRunbook(id, "r-forged", true, null, "", a));
    COMMANDS.put("RetryDispatch", (id, a) -> new ReleaseCommand.RetryDispatch(id, 1002, null, a));
    COMMANDS.put(
        "ForceApprove", (id, a) -> new ReleaseCommand.ForceApprove(id, 1002, "forged", null, a));
    COMMANDS.put(
        "ConfirmBreakGlass", (id, a) -> new ReleaseCommand.ConfirmBreakGlass(id, 1002, null, a));
    // the orchestrator's freeze hold (issue 15 point 5) and superseding: only its topic, only as
    // the orchestrator; a forged hold would keep an approved release from production
    COMMANDS.put(
        "HoldDispatch",
        (id, a) ->
            new ReleaseCommand.HoldDispatch(
                id, Instant.parse("2099-01-01T00:00:00Z"), "forged freeze", 1L, a));
    COMMANDS.put(
        "SupersedeRelease",
        (id, a) -> new ReleaseCommand.SupersedeRelease(id, "r-forged", "v9.9.9", a));
    // the orchestrator's record of a break-glass nobody confirmed (issue 15 point 4): only its
    // topic, only as the orchestrator; a forged expiry would void an admin's pending break-glass
    COMMANDS.put(
        "ExpireBreakGlass",
        (id, a) ->
            new ReleaseCommand.ExpireBreakGlass(id, Instant.parse("2020-01-01T00:00:00Z"), a));
  }

  private static final Actor TELEGRAM = Actor.telegram(1001, "Alice");
  private static final Actor ORCHESTRATOR_ACTOR =
      new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator", "deploy-orchestrator");
  private static final Actor ADMIN_ACTOR = Actor.adminToken();
  private static final Actor GITHUB = Actor.github("evil/repo", "mallory");

  /**
   * The Kafka half of the matrix: each command type, on each of the two topics, with the actor kind
   * its rightful sender would use, and then forged actor kinds on the types a topic does carry.
   * Every row here is a refusal ({@code not_allowed}); the accepted cells (the gateway's telegram
   * actions, the orchestrator's dispatch and runbook commands) are {@code KafkaCommandsTest}'s.
   */
  static Stream<Arguments> kafkaCells() {
    List<Arguments> cells = new ArrayList<>();
    List<String> gatewayMay =
        List.of(
            "Approve",
            "Reject",
            "RequestRollback",
            "CancelRelease",
            "RetryDispatch",
            "ForceApprove",
            "ConfirmBreakGlass");
    List<String> orchestratorMay =
        List.of(
            "StartDispatch",
            "RecordDispatch",
            "StartRunbook",
            "RecordRunbookStep",
            "FinishRunbook",
            "SupersedeRelease",
            "HoldDispatch",
            "ExpireBreakGlass");
    for (String type : COMMANDS.keySet()) {
      if (!gatewayMay.contains(type)) {
        cells.add(Arguments.of(Principal.GATEWAY, type, TELEGRAM, "may not come from"));
      }
      if (!orchestratorMay.contains(type)) {
        cells.add(
            Arguments.of(Principal.ORCHESTRATOR, type, ORCHESTRATOR_ACTOR, "may not come from"));
      }
    }
    for (String type : gatewayMay) {
      for (Actor forged : List.of(ADMIN_ACTOR, ORCHESTRATOR_ACTOR, GITHUB)) {
        cells.add(Arguments.of(Principal.GATEWAY, type, forged, "may not act as"));
      }
    }
    for (String type : orchestratorMay) {
      for (Actor forged : List.of(ADMIN_ACTOR, TELEGRAM, GITHUB)) {
        cells.add(Arguments.of(Principal.ORCHESTRATOR, type, forged, "may not act as"));
      }
    }
    return cells.stream();
  }

  @ParameterizedTest(name = "{1} as {2} on the {0}'s topic: not_allowed")
  @MethodSource("kafkaCells")
  void givenACommandsTopic_whenItCarriesWhatItsPrincipalMayNotSend_thenRefusedWithNothingWritten(
      Principal principal, String type, Actor actor, String why) throws Exception {
    ReleaseCommand command = COMMANDS.get(type).apply(kafkaSubject, actor);
    Map<Integer, Long> before = log.endOffsets();

    JsonNode answer =
        kafka.awaitResult(kafka.send(principal.topic(), command.releaseId(), command));

    assertThat(answer.path("outcome").asText()).isEqualTo("refused");
    assertThat(answer.path("reason").asText()).isEqualTo("not_allowed");
    assertThat(answer.path("detail").asText()).contains(why);
    assertThat(answer.path("events")).isEmpty();
    assertThat(log.endOffsets()).as("a refusal writes nothing").isEqualTo(before);
  }

  private static Map<String, Object> create() {
    return Api.createBody("billing", BILLING_REPO);
  }

  private static Map<String, Object> legacyCreate() {
    Map<String, Object> v1 = create();
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("service_name", v1.get("service"));
    b.put("release_tag", v1.get("tag"));
    b.put("initiated_by", v1.get("initiator"));
    b.put("github_run_id", v1.get("github_run_id"));
    b.put("github_action_link", v1.get("github_run_link"));
    b.put("github_ref", v1.get("ref"));
    b.put("repository", v1.get("repository"));
    b.put("commit_sha", v1.get("commit_sha"));
    return b;
  }

  /** A valid GitHub Actions OIDC token of {@code repository}, signed by the test issuer's key. */
  private static String oidcToken(String repository) {
    return JWT.create()
        .withKeyId("k1")
        .withIssuer(OidcAuthTest.ISSUER)
        .withAudience("rmm")
        .withSubject("repo:" + repository + ":ref:refs/tags/v1.0.0")
        .withClaim("repository", repository)
        .withClaim("job_workflow_ref", repository + "/.github/workflows/release.yml@refs/tags/v1")
        .withIssuedAt(Instant.now().minusSeconds(5))
        .withExpiresAt(Instant.now().plusSeconds(300))
        .sign(
            Algorithm.RSA256(
                (RSAPublicKey) OidcAuthTest.key.getPublic(),
                (RSAPrivateKey) OidcAuthTest.key.getPrivate()));
  }
}
