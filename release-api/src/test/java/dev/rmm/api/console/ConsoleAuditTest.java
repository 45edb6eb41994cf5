package dev.rmm.api.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.api.policy.PolicyRegistry;
import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReadModelStandIn;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent.ApprovalGranted;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's audit desk over HTTP, on the real broker: the as-of view folded from the log, the
 * verification report (void events apart from breaks), the download of a release's history as
 * CloudEvents JSON lines, the policy version on the release page, and that none of it opens without
 * a session. The browser's view is deploy/e2e's ConsoleBrowserTest.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class ConsoleAuditTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Inject Pool pg;
  @Inject PolicyRegistry policies;

  private ReadModelStandIn readModel;

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    readModel = new ReadModelStandIn(pg);
    readModel.create();
  }

  @AfterEach
  void tearDown() {
    readModel.drop(); // the other tests run without a read model
  }

  private static String session() {
    return ConsoleSessionsForTests.adminSession();
  }

  private static Response audit(String session, String at, String service) {
    var request = given().cookie(SessionCookies.NAME, session).queryParam("lang", "en");
    if (at != null) {
      request.queryParam("at", at);
    }
    if (service != null) {
      request.queryParam("service", service);
    }
    return request.get("/console/audit");
  }

  /** The as-of table's row of {@code releaseId}: its {@code <tr>} element, as text. */
  private static String row(String html, String releaseId) {
    int at = html.indexOf("data-release=\"" + releaseId + "\"");
    assertThat(at).as(html).isPositive();
    return html.substring(at, html.indexOf("</tr>", at));
  }

  /**
   * Writes the timeline rows of the release as the projector does: each event's data and its real
   * place in the log (the release page and the download read the log there).
   */
  private void mirrorEvents(ReleaseLog log, String id) {
    for (ConsumerRecord<String, byte[]> r : log.records(id)) {
      EventEnvelope e = EventCodec.decode(r.value());
      pg.preparedQuery(
              "INSERT INTO read_model.release_events (release_id, sequence, event_id, type,"
                  + " occurred_at, actor_kind, actor_id, actor_name, data, kafka_partition,"
                  + " kafka_offset) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)"
                  + " ON CONFLICT DO NOTHING")
          .execute(
              Tuple.from(
                  Arrays.asList(
                      id,
                      e.sequence(),
                      e.id(),
                      e.type(),
                      e.occurredAt().atOffset(ZoneOffset.UTC),
                      e.actor().kind().name().toLowerCase(Locale.ROOT),
                      e.actor().id(),
                      e.actor().name(),
                      // a String would be stored as a JSON string, not as the event's object
                      new JsonObject(EventCodec.toJson(e).get("data").toString()),
                      r.partition(),
                      r.offset())))
          .await()
          .atMost(WAIT);
    }
  }

  private static EventEnvelope approvalOf(ReleaseLog log, String id) {
    return log.events(id).stream()
        .filter(e -> e.data() instanceof ApprovalGranted)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void givenAnApproval_whenAuditedJustBeforeAndAtIt_thenTheLogShowsNoneThenOneApproval() {
    String service = Api.newService();
    String id = Api.releaseInManualTesting(Api.BILLING_REPO, service);
    assertThat(Api.approve(id, 1001).statusCode()).isBetween(200, 299);
    Instant approved;
    try (ReleaseLog log = new ReleaseLog()) {
      approved = approvalOf(log, id).occurredAt();
    }
    String session = session();

    Response before = audit(session, approved.minusMillis(1).toString(), service);
    Response after = audit(session, approved.toString(), service);

    assertThat(before.statusCode()).as(before.asString()).isEqualTo(200);
    assertThat(row(before.asString(), id))
        .contains("data-status=\"manual_testing\"")
        .contains("data-approvals=\"0/3\"");
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(row(after.asString(), id))
        .contains("data-status=\"manual_testing\"")
        .contains("data-approvals=\"1/3\"");
    assertThat(after.asString())
        .contains("State as of")
        .contains("Verification report")
        .contains("records of the log rmm.release-events read")
        .contains("the policy chain (rmm.release-policies)");
    // before the release existed it is not in the table at all
    Instant created;
    try (ReleaseLog log = new ReleaseLog()) {
      created = log.events(id).get(0).occurredAt();
    }
    assertThat(audit(session, created.minusMillis(1).toString(), service).asString())
        .doesNotContain(id);
  }

  @Test
  void givenAVoidAndATamperedEvent_whenTheReportIsRead_thenTheVoidIsListedApartFromTheBreak()
      throws Exception {
    String id = Api.releaseInManualTesting(Api.BILLING_REPO, Api.newService());
    String lostId = UUID.randomUUID().toString();
    String forgedId = UUID.randomUUID().toString();
    try (ReleaseLog log = new ReleaseLog()) {
      List<ConsumerRecord<String, byte[]>> records = log.records(id);
      EventEnvelope second = EventCodec.decode(records.get(1).value());
      EventEnvelope head = EventCodec.decode(records.get(records.size() - 1).value());
      // another writer's event 2, decided on event 1 too: it lost the race for slot 2
      EventEnvelope lost = copy(second, lostId, second.sequence(), second.prevHash());
      // the next link, but chained to a head that never was: tampering, not a race
      EventEnvelope forged = copy(head, forgedId, head.sequence() + 1, "ab".repeat(32));
      append(log, records.get(0).partition(), lost, forged);
    }

    Response r = audit(session(), "", null);

    String html = r.asString();
    assertThat(r.statusCode()).as(html).isEqualTo(200);
    String voids = html.substring(html.indexOf("id=\"report-voids\""));
    voids = voids.substring(0, voids.indexOf("id=\"report-policy\""));
    String problems = html.substring(html.indexOf("id=\"report-chains\""));
    problems = problems.substring(0, problems.indexOf("id=\"report-voids\""));
    assertThat(voids).contains(lostId).contains("lost a race").doesNotContain(forgedId);
    assertThat(problems)
        .contains("release(s) with a broken chain")
        .contains(forgedId)
        .doesNotContain(lostId);
  }

  private static EventEnvelope copy(EventEnvelope e, String id, long sequence, String prevHash) {
    return new EventEnvelope(
        id,
        e.releaseId(),
        sequence,
        e.occurredAt(),
        e.actor(),
        e.correlationId(),
        e.causationId(),
        e.traceparent(),
        prevHash,
        e.data());
  }

  private static void append(ReleaseLog log, int partition, EventEnvelope... events)
      throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, log.bootstrap());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      for (EventEnvelope e : events) {
        producer
            .send(
                new ProducerRecord<>(
                    ReleaseLog.eventsTopic(), partition, e.releaseId(), EventCodec.encode(e)))
            .get();
      }
    }
  }

  @Test
  void givenAReadLimit_whenTheLogHoldsMore_thenThePageSaysItIsIncomplete() {
    Api.releaseInManualTesting(Api.BILLING_REPO, Api.newService());

    Response r =
        given()
            .cookie(SessionCookies.NAME, session())
            .queryParam("limit", 1)
            .queryParam("lang", "en")
            .get("/console/audit");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.asString())
        .contains("Only the first 1 of about")
        .contains("the states and the report are incomplete");
  }

  @Test
  void givenARelease_whenItsHistoryIsDownloaded_thenEachLineIsACloudEventOfTheLog()
      throws Exception {
    String id = Api.releaseInManualTesting(Api.BILLING_REPO, Api.newService());
    assertThat(Api.approve(id, 1002).statusCode()).isBetween(200, 299);
    List<String> logIds;
    try (ReleaseLog log = new ReleaseLog()) {
      readModel.mirror(log, id);
      mirrorEvents(log, id);
      logIds = log.events(id).stream().map(EventEnvelope::id).toList();
    }

    Response r =
        given()
            .cookie(SessionCookies.NAME, session())
            .get("/console/releases/{id}/events.jsonl", id);

    assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
    assertThat(r.contentType()).startsWith(ConsoleAuditResource.JSON_LINES);
    assertThat(r.header("Content-Disposition"))
        .isEqualTo("attachment; filename=\"" + id + ".events.jsonl\"");
    ObjectMapper json = new ObjectMapper();
    List<String> lines = r.asString().lines().toList();
    assertThat(lines).hasSize(logIds.size());
    for (int i = 0; i < lines.size(); i++) {
      JsonNode ce = json.readTree(lines.get(i));
      assertThat(ce.path("specversion").asText()).isEqualTo("1.0");
      assertThat(ce.path("id").asText()).isEqualTo(logIds.get(i));
      assertThat(ce.path("subject").asText()).isEqualTo(id);
      assertThat(ce.path("releaseseq").asInt()).isEqualTo(i + 1);
    }
    // the release page links to it
    assertThat(
            given()
                .cookie(SessionCookies.NAME, session())
                .get("/console/releases/{id}?lang=en", id)
                .asString())
        .contains("/console/releases/" + id + "/events.jsonl");
  }

  @Test
  void givenAnApproval_whenTheReleasePageIsRead_thenItShowsThePolicyVersionsInForceAndUsed() {
    String id = Api.releaseInManualTesting(Api.BILLING_REPO, Api.newService());
    assertThat(Api.approve(id, 1003).statusCode()).isBetween(200, 299);
    EventEnvelope approval;
    try (ReleaseLog log = new ReleaseLog()) {
      readModel.mirror(log, id);
      mirrorEvents(log, id);
      approval = approvalOf(log, id);
    }
    Long used = ((ApprovalGranted) approval.data()).policyVersion();
    assertThat(used).as("the writer records the policy version of each decision").isNotNull();

    String html =
        given()
            .cookie(SessionCookies.NAME, session())
            .get("/console/releases/{id}?lang=en", id)
            .asString();

    assertThat(html)
        .contains("Policy version")
        .contains("v" + policies.version() + " in force now")
        .contains("this release decided under v" + used + " (event " + approval.sequence() + ")");
  }

  @Test
  void givenNoSessionOrATamperedOne_whenTheAuditDeskIsAsked_thenTheLoginPageIsTheAnswer() {
    String session = session();
    String tampered =
        session.substring(0, session.length() - 1) + (session.endsWith("0") ? "1" : "0");
    for (String path :
        new String[] {"/console/audit", "/console/releases/any-release/events.jsonl"}) {
      Response none = given().redirects().follow(false).get(path);
      assertThat(none.statusCode()).as(path).isEqualTo(303);
      assertThat(none.header("Location")).as(path).endsWith("/console/login");
      Response forged =
          given().redirects().follow(false).cookie(SessionCookies.NAME, tampered).get(path);
      assertThat(forged.statusCode()).as(path).isEqualTo(303);
    }
  }

  @Test
  void givenSomethingThatIsNoMoment_whenAudited_thenA400PageSaysSoInTheReadersLanguage() {
    String session = session();

    Response en = audit(session, "yesterday at noon", null);
    Response ru =
        given()
            .cookie(SessionCookies.NAME, session)
            .queryParam("at", "вчера")
            .queryParam("lang", "ru")
            .get("/console/audit");

    assertThat(en.statusCode()).isEqualTo(400);
    assertThat(en.asString()).contains("Not a moment").contains("yesterday at noon");
    assertThat(ru.statusCode()).isEqualTo(400);
    assertThat(ru.asString()).contains("Не понимаю момент");
    Response bidi = audit(session, "2026-12-01T10:00:00Z\u202E", null);
    assertThat(bidi.statusCode()).isEqualTo(400);
    assertThat(bidi.asString()).contains("U+202E").doesNotContain("\u202E");
    Response nul = audit(session, null, "billing\u0000");
    assertThat(nul.statusCode()).isEqualTo(400);
    assertThat(nul.asString()).contains("That cannot be a service").doesNotContain("\u0000");
  }

  @Test
  void givenAnUnknownRelease_whenItsHistoryIsAsked_thenA404PageAnswers() {
    Response r =
        given()
            .cookie(SessionCookies.NAME, session())
            .get("/console/releases/{id}/events.jsonl?lang=en", "no-such-release");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.asString()).contains("Release not found");
  }

  @Test
  void givenReleaseIds_whenMadeFileNames_thenOnlySafeCharactersRemain() {
    assertThat(ConsoleAuditResource.fileName("a/b\"c\r\n")).isEqualTo("a_b_c__.events.jsonl");
  }
}
