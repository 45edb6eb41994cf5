package dev.rmm.projector;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.audit.EventChain;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * No event the log may hold stops the projector: text that Postgres cannot store (NUL, lone
 * surrogates) is stored as {@link PgText} says, live and by a rebuild alike, and everything else
 * (control and bidi characters, backslashes, line breaks, very long values) is stored as it is.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class HostileTextTest extends LiveProjectionFixture {

  private static final Instant T0 = Instant.parse("2026-11-30T08:00:00Z");

  @Test
  void givenATagHoldingNul_whenAppended_thenItIsProjectedRebuiltAndLaterReleasesFollow() {
    String id = log.releaseToManualTesting("nul-tag-svc", "v1\u0000.0");
    log.flush();

    Row row = checks.awaitRow(id, 4);
    assertThat(row.getString("release_tag")).isEqualTo("v1\uFFFD.0");
    assertThat(row.getString("github_ref")).isEqualTo("refs/tags/v1\uFFFD.0");
    assertThat(
            checks.count(
                "SELECT count(*) FROM read_model.release_events WHERE release_id = $1 AND"
                    + " data #>> '{spec,tag}' = $2",
                id,
                "v1\uFFFD.0"))
        .isEqualTo(1);
    String later = log.releaseToManualTesting("nul-tag-svc", "v1.0.1");
    log.flush();
    assertThat(checks.awaitRow(later, 4).getString("release_tag")).isEqualTo("v1.0.1");

    checks.awaitCaughtUp(Duration.ofSeconds(20));
    checks.assertARebuildEqualsTheLiveReadModel(true);
    String afterRebuild = log.releaseToManualTesting("nul-tag-svc", "v1.0.2");
    log.flush();
    checks.awaitRow(afterRebuild, 4);
    given().when().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
    assertThat(live.progress().consecutiveFailures()).isZero();
  }

  @Test
  void givenHostileTextInEveryField_whenProjectedAndRebuilt_thenBothHoldTheSameRows() {
    Random random = new Random(14);
    String bidi = "\u202Eevil\u202C \u2066x\u2069";
    String controls = "\u0001\u0007\u001B[31m\u007F\u0085";
    String copyMarker = "a\n\\.\nb\r\n\\.\tc\\N";
    String lone = "x\uD800y\uDC00";
    String longService = randomText(random, 5_000); // beyond a btree entry, incompressible
    String longTag = randomText(random, 100_000);
    ReleaseSpec spec =
        new ReleaseSpec(longService, longTag, bidi, controls, copyMarker, lone, "\u0000", "");
    String id = spec.releaseId();
    ApprovalPolicy policy =
        new ApprovalPolicy(
            List.of(
                new ApprovalPolicy.Approver(1, controls, lone),
                new ApprovalPolicy.Approver(2, "\u0000", null)),
            2,
            false,
            List.of(2L));
    List<ReleaseEvent> events =
        List.of(
            new ReleaseEvent.ReleaseCreated(spec, policy),
            new ReleaseEvent.StatusChanged(
                ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING, copyMarker),
            new ReleaseEvent.StatusChanged(
                ReleaseStatus.STAGE_BUILDING, ReleaseStatus.STAGE_TEST_ROLLBACK, lone),
            new ReleaseEvent.StatusChanged(
                ReleaseStatus.STAGE_TEST_ROLLBACK, ReleaseStatus.MANUAL_TESTING, bidi),
            new ReleaseEvent.ApprovalGranted(1, lone + "\u0000", 1, 2),
            new ReleaseEvent.ReleaseRejected(2, "\u0000", longTag.substring(0, 1000) + lone));
    String prev = EventChain.GENESIS;
    for (int i = 0; i < events.size(); i++) {
      EventEnvelope e =
          new EventEnvelope(
                  UUID.randomUUID().toString(),
                  id,
                  i + 1,
                  T0.plusSeconds(i),
                  new Actor(Actor.Kind.TELEGRAM, controls, lone),
                  copyMarker,
                  bidi,
                  "\u0000" + lone,
                  events.get(i))
              .chainedTo(prev);
      byte[] stored = EventCodec.encode(e); // lone surrogates are written as JSON escapes
      log.appendStored(id, stored);
      prev = EventChain.hash(stored);
    }
    log.flush();

    Row row = checks.awaitRow(id, events.size());
    assertThat(row.getString("service_name")).isEqualTo(longService);
    assertThat(row.getString("release_tag")).isEqualTo(longTag);
    assertThat(row.getString("initiated_by")).isEqualTo(bidi);
    assertThat(row.getString("github_run_id")).isEqualTo(controls);
    assertThat(row.getString("github_action_link")).isEqualTo(copyMarker);
    assertThat(row.getString("github_ref")).isEqualTo("x\uFFFDy\uFFFD");
    assertThat(row.getString("repository")).isEqualTo("\uFFFD");
    assertThat(row.getString("status")).isEqualTo("manual_test_failed");
    assertThat(row.getString("head_hash")).isEqualTo(prev);
    checks.awaitCaughtUp(Duration.ofSeconds(20));
    checks.assertARebuildEqualsTheLiveReadModel(false);
    given().when().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void givenEventsNoColumnHoldsAsTheyAre_whenProjectedAndRebuilt_thenStoredAndTheReaderGoesOn() {
    String run = UUID.randomUUID().toString().substring(0, 8);
    // timestamps beyond what Postgres (and ISO 8601 with four digits) holds
    ReleaseSpec farSpec = EventLog.spec("far-time-" + run, "v1.0.0");
    String far = farSpec.releaseId();
    String prev =
        appendChained(
            far,
            1,
            run + "-far-1",
            Instant.parse("+100000-01-01T00:00:00Z"),
            new ReleaseEvent.ReleaseCreated(farSpec, EventLog.POLICY),
            EventChain.GENESIS);
    appendChained(
        far,
        2,
        run + "-far-2",
        Instant.parse("-5000-06-01T00:00:00Z"),
        new ReleaseEvent.StatusChanged(ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING, null),
        prev);
    // a release id and an event id far beyond an index entry
    Random random = new Random(15);
    String longId = run + randomText(random, 3_000);
    String longEventId = randomText(random, 5_000);
    appendChained(
        longId,
        1,
        longEventId,
        T0,
        new ReleaseEvent.ReleaseCreated(EventLog.spec("long-id-" + run, "v1.0.0"), EventLog.POLICY),
        EventChain.GENESIS);
    // one event id twice in a release, and one approver twice
    ReleaseSpec dupSpec = EventLog.spec("dup-" + run, "v1.0.0");
    String dup = dupSpec.releaseId();
    List<ReleaseEvent> dupEvents =
        List.of(
            new ReleaseEvent.ReleaseCreated(dupSpec, EventLog.POLICY),
            new ReleaseEvent.StatusChanged(
                ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING, null),
            new ReleaseEvent.StatusChanged(
                ReleaseStatus.STAGE_BUILDING, ReleaseStatus.STAGE_TEST_ROLLBACK, null),
            new ReleaseEvent.StatusChanged(
                ReleaseStatus.STAGE_TEST_ROLLBACK, ReleaseStatus.MANUAL_TESTING, null),
            new ReleaseEvent.ApprovalGranted(1001, "Alice", 1, 2),
            new ReleaseEvent.ApprovalGranted(1001, "Alice", 1, 2));
    prev = EventChain.GENESIS;
    for (int i = 0; i < dupEvents.size(); i++) {
      String eventId = run + "-dup-" + (i == 1 ? 0 : i); // the second event reuses the first's id
      prev = appendChained(dup, i + 1, eventId, T0.plusSeconds(i), dupEvents.get(i), prev);
    }
    log.flush();

    Row farRow = checks.awaitRow(far, 2);
    assertThat(farRow.getOffsetDateTime("created_at").toInstant()).isEqualTo(Projection.LATEST);
    assertThat(farRow.getOffsetDateTime("updated_at").toInstant()).isEqualTo(Projection.EARLIEST);
    Row longRow = checks.awaitRow(PgText.id(longId), 1);
    assertThat(longRow.getString("release_id")).hasSizeLessThanOrEqualTo(PgText.MAX_ID);
    assertThat(
            checks.count(
                "SELECT count(*) FROM read_model.release_events WHERE event_id = $1",
                PgText.id(longEventId)))
        .isEqualTo(1);
    checks.awaitRow(dup, dupEvents.size());
    assertThat(
            checks.count(
                "SELECT count(*) FROM read_model.release_events WHERE release_id = $1", dup))
        .isEqualTo(dupEvents.size() - 1);
    assertThat(checks.count("SELECT count(*) FROM read_model.approvals WHERE release_id = $1", dup))
        .isEqualTo(1);

    checks.awaitCaughtUp(Duration.ofSeconds(20));
    checks.assertARebuildEqualsTheLiveReadModel(false);
    String later = log.releaseToManualTesting("dup-" + run, "v1.0.1");
    log.flush();
    checks.awaitRow(later, 4);
    given().when().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
    assertThat(live.progress().consecutiveFailures()).isZero();
  }

  /** Appends one event with the given ids and time, chained to {@code prev}; returns its hash. */
  private String appendChained(
      String releaseId, long sequence, String eventId, Instant at, ReleaseEvent data, String prev) {
    EventEnvelope e =
        new EventEnvelope(
                eventId,
                releaseId,
                sequence,
                at,
                Actor.system("test"),
                "corr-" + releaseId,
                null,
                null,
                data)
            .chainedTo(prev);
    byte[] stored = EventCodec.encode(e);
    log.appendStored(releaseId, stored);
    return EventChain.hash(stored);
  }

  private static String randomText(Random random, int length) {
    StringBuilder b = new StringBuilder(length);
    while (b.length() < length) {
      b.appendCodePoint(0x4E00 + random.nextInt(0x5000)); // CJK: 3 bytes each in UTF-8
    }
    return b.toString();
  }
}
