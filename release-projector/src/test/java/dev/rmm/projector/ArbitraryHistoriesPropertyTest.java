package dev.rmm.projector;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.audit.EventChain;
import dev.rmm.contracts.audit.LogVerifier;
import dev.rmm.contracts.log.StateFold;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.sessions.JqwikSession;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The property behind "no valid event may stop a reader": any history the decider makes from
 * arbitrary strings ({@link ArbitraryReleases}) is projected live, rebuilt to the same read model,
 * and accepted by replay (the audit's {@link LogVerifier} and the {@link StateFold} every reader
 * uses, which folds it to the decider's own state). CI runs {@value #DEFAULT_TRIES} releases in one
 * go; {@code -Dproperty.tries=N} runs more, {@code -Dproperty.seed=S} repeats a run.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ArbitraryHistoriesPropertyTest extends LiveProjectionFixture {

  static final int DEFAULT_TRIES = 25;
  private static final Logger LOG = Logger.getLogger(ArbitraryHistoriesPropertyTest.class);
  private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

  @Test
  void givenArbitraryValidHistories_whenProjectedAndRebuilt_thenBothAgreeAndReplayAcceptsThem() {
    int tries = Integer.getInteger("property.tries", DEFAULT_TRIES);
    long seed = Long.getLong("property.seed", new java.util.Random().nextLong());
    LOG.infof(
        "%d arbitrary releases from seed %d (repeat with -Dproperty.seed=%d)", tries, seed, seed);
    ArbitraryReleases arbitrary = new ArbitraryReleases(seed);
    LogVerifier verifier = new LogVerifier();
    StateFold replay = new StateFold();
    Map<String, ArbitraryReleases.History> histories = new LinkedHashMap<>();
    long events;
    JqwikSession.start(); // jqwik's generators outside a jqwik property
    try {
      events = append(tries, arbitrary, verifier, replay, histories);
    } finally {
      JqwikSession.finish();
    }
    log.flush();

    LogVerifier.Report report = verifier.report();
    assertThat(report.problems()).as("seed %d", seed).isEmpty();
    assertThat(report.voids()).as("seed %d", seed).isEmpty();
    assertThat(report.events()).isEqualTo(events);
    histories.forEach(
        (id, h) ->
            assertThat(withoutApprovalTimes(replay.state(id)))
                .as("seed %d, release %s", seed, id)
                .isEqualTo(h.state()));

    checks.awaitCaughtUp(Duration.ofSeconds(60));
    histories.forEach(
        (id, h) -> {
          Row row =
              pg.preparedQuery("SELECT * FROM read_model.releases WHERE release_id = $1")
                  .execute(Tuple.of(PgText.text(id)))
                  .await()
                  .indefinitely()
                  .iterator()
                  .next();
          assertThat(row.getLong("version")).as("seed %d", seed).isEqualTo(h.events().size());
          assertThat(row.getString("status")).isEqualTo(h.state().status().wire());
          assertThat(row.getString("release_tag")).isEqualTo(PgText.text(h.state().spec().tag()));
          assertThat(row.getString("rejection_reason"))
              .isEqualTo(PgText.text(h.state().rejectionReason()));
        });
    // the delivery metrics kept batch by batch equal the same figures computed over the rows
    assertThat(checks.deliveryMetrics())
        .as("seed %d", seed)
        .isNotEmpty()
        .isEqualTo(checks.deliveryMetricsFromTheRows());
    checks.assertARebuildEqualsTheLiveReadModel(false);
    given().when().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
  }

  /**
   * The state without its approvals' times: the replay folds the events with their envelopes (an
   * approval keeps its event's time, by which it expires), the history folded the bare events.
   */
  private static ReleaseState withoutApprovalTimes(ReleaseState s) {
    return new ReleaseState(
        s.releaseId(),
        s.spec(),
        s.policy(),
        s.status(),
        s.version(),
        s.statusVersion(),
        s.approvals().stream()
            .map(
                a ->
                    new ReleaseState.Approval(
                        a.approverId(), a.approverName(), a.commitSha(), null))
            .toList(),
        s.rejectionReason(),
        s.rollbackToTag(),
        s.dispatch(),
        s.runbook(),
        s.rollbackRequestedBy(),
        s.commitSha(),
        s.breakGlass(),
        s.stagedCommit());
  }

  /** Appends each release's history, chained as the writer chains it; returns events appended. */
  private long append(
      int tries,
      ArbitraryReleases arbitrary,
      LogVerifier verifier,
      StateFold replay,
      Map<String, ArbitraryReleases.History> histories) {
    long events = 0;
    for (int t = 0; t < tries; t++) {
      ArbitraryReleases.History h = arbitrary.release();
      if (histories.putIfAbsent(h.releaseId(), h) != null) {
        continue; // the same service, tag and run id twice names the same release
      }
      String prev = EventChain.GENESIS;
      for (int i = 0; i < h.events().size(); i++) {
        EventEnvelope e =
            new EventEnvelope(
                    UUID.randomUUID().toString(),
                    h.releaseId(),
                    i + 1,
                    T0.plusSeconds(t * 100L + i),
                    arbitrary.actor(),
                    arbitrary.text(),
                    arbitrary.text(),
                    arbitrary.text(),
                    h.events().get(i))
                .chainedTo(prev);
        byte[] stored = EventCodec.encode(e);
        log.appendStored(h.releaseId(), stored);
        verifier.accept("try " + t + " event " + (i + 1), h.releaseId(), stored);
        replay.accept(h.releaseId(), stored);
        prev = EventChain.hash(stored);
        events++;
      }
    }
    return events;
  }
}
