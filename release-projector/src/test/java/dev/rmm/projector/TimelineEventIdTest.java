package dev.rmm.projector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The timeline keeps one row per event id, whether the id comes back in the same batch or in a
 * later one, now that its insert leaves stored ids out itself ({@code WHERE NOT EXISTS}) instead of
 * {@code ON CONFLICT DO NOTHING}, and the batch holds each id once. Batches are applied here one
 * call at a time, on records of a topic name of this test's own (its positions are apart from the
 * live projection's), into the live schema.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class TimelineEventIdTest {

  private static final Instant T0 = Instant.parse("2026-11-02T10:00:00Z");

  @Inject Pool pg;

  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final String topic = "timeline-ids-" + run;
  private long offset;

  @Test
  void givenAnEventIdUsedTwiceInOneBatchAndAgainInALaterOne_whenApplied_thenOneTimelineRowForIt() {
    Projection projection = new Projection(pg, LiveProjector.LIVE_SCHEMA, topic);
    ReleaseSpec a = EventLog.spec("timeline-ids-a-" + run, "v1.0.0");
    ReleaseSpec b = EventLog.spec("timeline-ids-b-" + run, "v1.0.0");
    String reused = "reused-" + run;

    // one batch: a's creation and b's creation use the same id
    List<ConsumerRecord<String, byte[]>> first = new ArrayList<>();
    first.add(
        record(a.releaseId(), 1, reused, new ReleaseEvent.ReleaseCreated(a, EventLog.POLICY)));
    first.add(
        record(b.releaseId(), 1, reused, new ReleaseEvent.ReleaseCreated(b, EventLog.POLICY)));
    first.add(record(b.releaseId(), 2, "b2-" + run, stageBuilding()));
    assertThat(projection.apply(first)).isEqualTo(3);

    // a later batch: a's next event reuses the id again, b goes on
    List<ConsumerRecord<String, byte[]>> second = new ArrayList<>();
    second.add(record(a.releaseId(), 2, reused, stageBuilding()));
    second.add(
        record(
            b.releaseId(),
            3,
            "b3-" + run,
            new ReleaseEvent.ReleaseCancelled(ReleaseStatus.STAGE_BUILDING, "not needed")));
    assertThat(projection.apply(second)).isEqualTo(2);

    assertThat(count("SELECT count(*) FROM read_model.release_events WHERE event_id = $1", reused))
        .isEqualTo(1);
    assertThat(
            count(
                "SELECT count(*) FROM read_model.release_events WHERE event_id = $1"
                    + " AND release_id = $2",
                reused,
                a.releaseId()))
        .as("the first use in the log's order keeps the id")
        .isEqualTo(1);
    assertThat(
            count(
                "SELECT count(*) FROM read_model.release_events WHERE release_id = $1",
                b.releaseId()))
        .isEqualTo(2);
    // the rows moved with every event, duplicates of an id included
    assertThat(
            count("SELECT version FROM read_model.releases WHERE release_id = $1", a.releaseId()))
        .isEqualTo(2);
    assertThat(
            count("SELECT version FROM read_model.releases WHERE release_id = $1", b.releaseId()))
        .isEqualTo(3);
  }

  private static ReleaseEvent stageBuilding() {
    return new ReleaseEvent.StatusChanged(
        ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING, null);
  }

  private ConsumerRecord<String, byte[]> record(
      String releaseId, long sequence, String eventId, ReleaseEvent data) {
    EventEnvelope e =
        new EventEnvelope(
            eventId,
            releaseId,
            sequence,
            T0.plusSeconds(offset),
            Actor.system("test"),
            "corr-" + releaseId,
            null,
            null,
            data);
    return new ConsumerRecord<>(topic, 0, offset++, releaseId, EventCodec.encode(e));
  }

  private long count(String sql, Object... args) {
    var rows = pg.preparedQuery(sql).execute(Tuple.from(args)).await().indefinitely();
    return rows.iterator().next().getLong(0);
  }
}
