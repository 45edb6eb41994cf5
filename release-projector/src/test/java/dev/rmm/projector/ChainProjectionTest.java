package dev.rmm.projector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Actor;
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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The log is the lock: two writers may both append events of one release, and only the next link of
 * the release's hash chain counts. The read model (live and rebuilt) holds exactly the events that
 * count; void events stay in the log and leave no trace in it.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ChainProjectionTest extends LiveProjectionFixture {

  private static final Instant T0 = Instant.parse("2026-11-29T08:00:00Z");

  @Test
  void givenAChainWithVoidEvents_whenProjectedAndRebuilt_thenOnlyTheChainCounts() {
    ReleaseSpec spec = EventLog.spec("chain-svc", "v1.0.0");
    String id = spec.releaseId();
    EventEnvelope e1 = event(id, 1, new ReleaseEvent.ReleaseCreated(spec, EventLog.POLICY));
    byte[] s1 = append(e1, EventChain.GENESIS);
    EventEnvelope e2 = event(id, 2, status(ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING));
    byte[] s2 = append(e2, EventChain.hash(s1));
    EventEnvelope e3 =
        event(id, 3, status(ReleaseStatus.STAGE_BUILDING, ReleaseStatus.STAGE_TEST_ROLLBACK));
    byte[] s3 = append(e3, EventChain.hash(s2));
    log.flush();
    // the next events are judged against the head read back from Postgres
    Row row = checks.awaitRow(id, 3);
    assertThat(row.getString("head_hash")).isEqualTo(EventChain.hash(s3));
    assertThat(row.getBoolean("head_chained")).isTrue();

    // (a) a second writer lost the race for slot 3: right link to event 2, slot already taken
    byte[] lostRace =
        append(
            event(id, 3, new ReleaseEvent.ReleaseCancelled(ReleaseStatus.STAGE_BUILDING, "race")),
            EventChain.hash(s2));
    // (c) that writer's next event, chained to its void one
    append(
        event(id, 4, new ReleaseEvent.ApprovalGranted(1001, "Alice", 1, 2)),
        EventChain.hash(lostRace));
    EventEnvelope e4 =
        event(id, 4, status(ReleaseStatus.STAGE_TEST_ROLLBACK, ReleaseStatus.MANUAL_TESTING));
    byte[] s4 = append(e4, EventChain.hash(s3));
    // (b) the next sequence, but linked to a head that is not the release's
    byte[] wrongLink =
        append(
            event(id, 5, new ReleaseEvent.ReleaseRejected(1002, "Bob", "stale")), "ab".repeat(32));
    EventEnvelope e5 = event(id, 5, new ReleaseEvent.ApprovalGranted(1002, "Bob", 1, 2));
    byte[] s5 = append(e5, EventChain.hash(s4));
    // (c) again: the slot after the head, chained to the void event (b)
    append(
        event(id, 6, new ReleaseEvent.ApprovalQuorumReached(List.of(1001L, 1002L))),
        EventChain.hash(wrongLink));
    log.flush();

    checks.awaitCaughtUp(Duration.ofSeconds(20));
    row = checks.awaitRow(id, 5);
    assertThat(timeline(id)).containsExactly(e1.id(), e2.id(), e3.id(), e4.id(), e5.id());
    assertThat(row.getString("status")).isEqualTo("manual_testing");
    assertThat(row.getString("outcome")).isEqualTo("active");
    assertThat(row.getString("rejection_reason")).isNull();
    assertThat(row.getValue("approved_list").toString()).contains("Bob").doesNotContain("Alice");
    assertThat(row.getString("head_hash")).isEqualTo(EventChain.hash(s5));
    assertThat(row.getBoolean("head_chained")).isTrue();
    assertThat(approvers(id)).containsExactly(1002L);

    checks.assertARebuildEqualsTheLiveReadModel(false);
  }

  @Test
  void givenAReleaseSupersededByANewerOne_whenProjectedAndRebuilt_thenCancelledNamingTheNewer() {
    ReleaseSpec spec = EventLog.spec("superseded-svc", "v1.4.0");
    String id = spec.releaseId();
    byte[] s1 =
        append(
            event(id, 1, new ReleaseEvent.ReleaseCreated(spec, EventLog.POLICY)),
            EventChain.GENESIS);
    byte[] s2 =
        append(
            event(id, 2, status(ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING)),
            EventChain.hash(s1));
    EventEnvelope superseded =
        event(
            id,
            3,
            new ReleaseEvent.ReleaseSuperseded(
                ReleaseStatus.STAGE_BUILDING, "newer-release-id", "v1.5.0"));
    append(superseded, EventChain.hash(s2));
    log.flush();

    Row row = checks.awaitRow(id, 3);
    assertThat(row.getString("status")).isEqualTo("cancelled");
    assertThat(row.getString("outcome")).isEqualTo("cancelled");
    assertThat(row.getString("superseded_by_id")).isEqualTo("newer-release-id");
    assertThat(row.getString("superseded_by_tag")).isEqualTo("v1.5.0");
    assertThat(row.getValue("completed_at")).isNotNull();
    assertThat(timeline(id)).endsWith(superseded.id());

    checks.awaitCaughtUp(Duration.ofSeconds(20));
    checks.assertARebuildEqualsTheLiveReadModel(false);
  }

  @Test
  void givenAnApprovalThenAMovedTag_whenProjectedAndRebuilt_thenApprovalsVoidNamingBothCommits() {
    ReleaseSpec spec = EventLog.spec("moved-tag-svc", "v2.0.0");
    String id = spec.releaseId();
    byte[] s1 =
        append(
            event(id, 1, new ReleaseEvent.ReleaseCreated(spec, EventLog.POLICY)),
            EventChain.GENESIS);
    byte[] s2 =
        append(
            event(id, 2, status(ReleaseStatus.INITIATED, ReleaseStatus.MANUAL_TESTING)),
            EventChain.hash(s1));
    byte[] s3 =
        append(
            event(
                id,
                3,
                new ReleaseEvent.ApprovalGranted(1001, "Alice", 1, 2, null, "v2.0.0", "abc1234")),
            EventChain.hash(s2));
    EventEnvelope voided =
        event(
            id,
            4,
            new ReleaseEvent.ApprovalsVoided(
                "v2.0.0",
                "abc1234",
                "def5678",
                List.of(1001L),
                "the pipeline reported manual_testing with commit def5678 for tag v2.0.0"));
    byte[] s4 = append(voided, EventChain.hash(s3));
    EventEnvelope again =
        event(
            id, 5, new ReleaseEvent.ApprovalGranted(1002, "Bob", 1, 2, null, "v2.0.0", "def5678"));
    append(again, EventChain.hash(s4));
    log.flush();

    Row row = checks.awaitRow(id, 5);
    assertThat(row.getString("status")).isEqualTo("manual_testing");
    assertThat(row.getString("commit_sha")).isEqualTo("def5678");
    JsonObject why = (JsonObject) row.getValue("approvals_voided");
    assertThat(why.getString("from_commit")).isEqualTo("abc1234");
    assertThat(why.getString("to_commit")).isEqualTo("def5678");
    assertThat(why.getJsonArray("approvers").getJsonObject(0).getString("name")).isEqualTo("Alice");
    assertThat(why.getString("at")).isEqualTo(voided.occurredAt().toString());
    JsonArray approved = (JsonArray) row.getValue("approved_list");
    assertThat(approved.size()).as("only the approval given after the move").isEqualTo(1);
    assertThat(approved.getJsonObject(0).getString("name")).isEqualTo("Bob");
    assertThat(approved.getJsonObject(0).getString("commit_sha")).isEqualTo("def5678");
    assertThat(timeline(id)).contains(voided.id()).endsWith(again.id());

    checks.awaitCaughtUp(Duration.ofSeconds(20));
    checks.assertARebuildEqualsTheLiveReadModel(false);
  }

  @Test
  void givenADispatchHeldByAFreeze_whenProjectedAndRebuilt_thenTheRowSaysUntilWhenAndWhy() {
    ReleaseSpec spec = EventLog.spec("frozen-svc", "v3.0.0");
    String id = spec.releaseId();
    byte[] s1 =
        append(
            event(id, 1, new ReleaseEvent.ReleaseCreated(spec, EventLog.POLICY)),
            EventChain.GENESIS);
    byte[] s2 =
        append(
            event(id, 2, status(ReleaseStatus.INITIATED, ReleaseStatus.MANUAL_TESTING)),
            EventChain.hash(s1));
    byte[] s3 =
        append(
            event(id, 3, new ReleaseEvent.ApprovalQuorumReached(List.of(1001L))),
            EventChain.hash(s2));
    java.time.Instant until = java.time.Instant.parse("2026-12-07T06:00:00Z");
    EventEnvelope held =
        event(id, 4, new ReleaseEvent.DispatchHeld(until, "no deploys over the weekend", 3L));
    append(held, EventChain.hash(s3));
    log.flush();

    Row row = checks.awaitRow(id, 4);
    assertThat(row.getString("status")).isEqualTo("manual_test_passed");
    assertThat(row.getValue("dispatch")).isNull();
    JsonObject frozen = (JsonObject) row.getValue("dispatch_held");
    assertThat(frozen.getString("until")).isEqualTo("2026-12-07T06:00:00Z");
    assertThat(frozen.getString("reason")).isEqualTo("no deploys over the weekend");
    assertThat(frozen.getLong("policy_version")).isEqualTo(3L);
    assertThat(frozen.getString("at")).isEqualTo(held.occurredAt().toString());
    assertThat(timeline(id)).endsWith(held.id());

    checks.awaitCaughtUp(Duration.ofSeconds(20));
    checks.assertARebuildEqualsTheLiveReadModel(false);
  }

  @Test
  void givenEventsFromBeforeChaining_whenTheReleaseStartsChaining_thenAnUnchainedEventIsVoid() {
    ReleaseSpec spec = EventLog.spec("legacy-chain-svc", "v1.0.0");
    String id = spec.releaseId();
    EventEnvelope l1 = event(id, 1, new ReleaseEvent.ReleaseCreated(spec, EventLog.POLICY));
    appendUnchained(l1);
    EventEnvelope l2 = event(id, 2, status(ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING));
    byte[] s2 = appendUnchained(l2);
    log.flush();
    Row row = checks.awaitRow(id, 2);
    // an old release's head has a hash too: its first chained event links to it
    assertThat(row.getString("head_hash")).isEqualTo(EventChain.hash(s2));
    assertThat(row.getBoolean("head_chained")).isFalse();

    EventEnvelope c3 =
        event(id, 3, status(ReleaseStatus.STAGE_BUILDING, ReleaseStatus.STAGE_TEST_ROLLBACK));
    byte[] s3 = append(c3, EventChain.hash(s2));
    // once chained, an event without a link is void
    appendUnchained(
        event(
            id,
            4,
            new ReleaseEvent.ReleaseCancelled(ReleaseStatus.STAGE_TEST_ROLLBACK, "old writer")));
    EventEnvelope c4 =
        event(id, 4, status(ReleaseStatus.STAGE_TEST_ROLLBACK, ReleaseStatus.MANUAL_TESTING));
    byte[] s4 = append(c4, EventChain.hash(s3));
    log.flush();

    checks.awaitCaughtUp(Duration.ofSeconds(20));
    row = checks.awaitRow(id, 4);
    assertThat(timeline(id)).containsExactly(l1.id(), l2.id(), c3.id(), c4.id());
    assertThat(row.getString("status")).isEqualTo("manual_testing");
    assertThat(row.getString("head_hash")).isEqualTo(EventChain.hash(s4));
    assertThat(row.getBoolean("head_chained")).isTrue();

    checks.assertARebuildEqualsTheLiveReadModel(false);
  }

  @Test
  void givenARowProjectedBeforeHeadsWereStored_whenItsNextEventArrives_thenItsHeadIsStored() {
    ReleaseSpec spec = EventLog.spec("migrated-svc", "v1.0.0");
    String id = spec.releaseId();
    byte[] s1 =
        append(
            event(id, 1, new ReleaseEvent.ReleaseCreated(spec, EventLog.POLICY)),
            EventChain.GENESIS);
    byte[] s2 =
        append(
            event(id, 2, status(ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING)),
            EventChain.hash(s1));
    log.flush();
    checks.awaitRow(id, 2);
    checks.awaitCaughtUp(Duration.ofSeconds(20));
    // as V5 leaves a row of an older read model
    pg.preparedQuery(
            "UPDATE read_model.releases SET head_hash = NULL, head_chained = FALSE"
                + " WHERE release_id = $1")
        .execute(Tuple.of(id))
        .await()
        .indefinitely();

    byte[] s3 =
        append(
            event(id, 3, status(ReleaseStatus.STAGE_BUILDING, ReleaseStatus.STAGE_TEST_ROLLBACK)),
            EventChain.hash(s2));
    log.flush();
    Row row = checks.awaitRow(id, 3);
    assertThat(row.getString("head_hash")).isEqualTo(EventChain.hash(s3));
    assertThat(row.getBoolean("head_chained")).isTrue();

    // from now on the chain decides: a lost race for slot 4 (linked to 2) is void
    append(
        event(id, 4, new ReleaseEvent.ReleaseCancelled(ReleaseStatus.STAGE_BUILDING, "race")),
        EventChain.hash(s2));
    log.flush();
    checks.awaitCaughtUp(Duration.ofSeconds(20));
    assertThat(checks.awaitRow(id, 3).getString("status")).isEqualTo("stage_test_rollback");
    assertThat(timeline(id)).hasSize(3);

    checks.assertARebuildEqualsTheLiveReadModel(false);
  }

  private static ReleaseEvent status(ReleaseStatus from, ReleaseStatus to) {
    return new ReleaseEvent.StatusChanged(from, to, null);
  }

  /** An event as a writer decides it, before it is linked to its release's chain. */
  private static EventEnvelope event(String releaseId, long sequence, ReleaseEvent data) {
    return new EventEnvelope(
        UUID.randomUUID().toString(),
        releaseId,
        sequence,
        T0.plusSeconds(7 * sequence),
        Actor.system("test"),
        "corr-" + releaseId,
        "cause-" + sequence,
        null,
        data);
  }

  /** Appends {@code e} linked to {@code prevHash}; returns the record value as stored. */
  private byte[] append(EventEnvelope e, String prevHash) {
    byte[] stored = EventCodec.encode(e.chainedTo(prevHash));
    log.appendStored(e.releaseId(), stored);
    return stored;
  }

  /** Appends {@code e} without a hash link, as writers did before chaining existed. */
  private byte[] appendUnchained(EventEnvelope e) {
    byte[] stored = EventCodec.encode(e);
    log.appendStored(e.releaseId(), stored);
    return stored;
  }

  /** The event ids of the release's timeline, by sequence. */
  private List<String> timeline(String id) {
    List<String> ids = new ArrayList<>();
    pg.preparedQuery(
            "SELECT event_id FROM read_model.release_events WHERE release_id = $1 ORDER BY"
                + " sequence")
        .execute(Tuple.of(id))
        .await()
        .indefinitely()
        .forEach(r -> ids.add(r.getString("event_id")));
    return ids;
  }

  private List<Long> approvers(String id) {
    List<Long> ids = new ArrayList<>();
    pg.preparedQuery(
            "SELECT approver_id FROM read_model.approvals WHERE release_id = $1 ORDER BY"
                + " approver_id")
        .execute(Tuple.of(id))
        .await()
        .indefinitely()
        .forEach(r -> ids.add(r.getLong("approver_id")));
    return ids;
  }
}
