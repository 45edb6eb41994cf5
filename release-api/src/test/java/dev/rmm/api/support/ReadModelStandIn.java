package dev.rmm.api.support;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.testsupport.MigrationOrder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The read model as release-projector's migrations make it (views included), filled from the real
 * release log by the test: release-projector does not run beside release-api's tests. It writes
 * only what the rollback rule reads (service, tag, status, when the release was deployed and when a
 * rollback of it finished, its rollback target), each taken from the release's events. That the
 * projector itself writes these columns so is release-projector's ProjectorTest.
 */
public final class ReadModelStandIn {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Path MIGRATIONS =
      Path.of("../release-projector/src/main/resources/db/readmodel");

  private final Pool pg;

  public ReadModelStandIn(Pool pg) {
    this.pg = pg;
  }

  /** (Re)creates schema {@code read_model} with every migration of release-projector, in order. */
  public void create() {
    StringBuilder sql =
        new StringBuilder(
            "DROP SCHEMA IF EXISTS read_model CASCADE; CREATE SCHEMA read_model;"
                + " SET search_path TO read_model;");
    try (Stream<Path> files = Files.list(MIGRATIONS)) {
      for (Path f : files.sorted(MigrationOrder.BY_VERSION).toList()) {
        sql.append(Files.readString(f)).append(';');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sql.append("RESET search_path;");
    pg.query(sql.toString()).execute().await().atMost(WAIT);
  }

  public void drop() {
    pg.query("DROP SCHEMA IF EXISTS read_model CASCADE").execute().await().atMost(WAIT);
  }

  /** Writes the row of each release as its events in the log make it. */
  public void mirror(ReleaseLog log, String... releaseIds) {
    Arrays.stream(releaseIds).forEach(id -> upsert(id, log.events(id)));
  }

  /**
   * Writes the timeline rows of each release as its events in the log make them: the actor and, for
   * an action taken for somebody else, that person (columns of V10; that the projector fills them
   * so is release-projector's ProjectorTest).
   */
  public void mirrorTimeline(ReleaseLog log, String... releaseIds) {
    for (String id : releaseIds) {
      for (EventEnvelope e : log.events(id)) {
        Actor behalf = e.actor().onBehalfOf();
        pg.preparedQuery(
                "INSERT INTO read_model.release_events (release_id, sequence, event_id, type,"
                    + " occurred_at, actor_kind, actor_id, actor_name, data, kafka_partition,"
                    + " kafka_offset, on_behalf_of_kind, on_behalf_of_id, on_behalf_of_name)"
                    + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, 0, $2, $10, $11, $12)"
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
                        "{}",
                        behalf == null ? null : behalf.kind().name().toLowerCase(Locale.ROOT),
                        behalf == null ? null : behalf.id(),
                        behalf == null ? null : behalf.name())))
            .await()
            .atMost(WAIT);
      }
    }
  }

  private void upsert(String id, List<EventEnvelope> events) {
    ReleaseState s = ReleaseState.none(id);
    Instant deployedAt = null;
    Instant restoredAt = null;
    for (EventEnvelope e : events) {
      s = ReleaseDecider.evolve(s, e.data());
      if (e.data() instanceof ReleaseEvent.StatusChanged c) {
        deployedAt = c.to() == ReleaseStatus.DEPLOYED ? e.occurredAt() : deployedAt;
        restoredAt = c.to() == ReleaseStatus.ROLLBACK_DONE ? e.occurredAt() : restoredAt;
      }
    }
    Instant at = events.get(0).occurredAt();
    pg.preparedQuery(
            "INSERT INTO read_model.releases (release_id, service_name, release_tag,"
                + " rollback_to_tag, status, outcome, initiated_by, github_run_id,"
                + " github_action_link, github_ref, repository, commit_sha, required_approvers,"
                + " quorum, version, created_at, started_at, updated_at, deployed_at, restored_at)"
                + " VALUES ($1, $2, $3, $4, $5, $6, '', '', '', '', $11, '', '[]'::jsonb, 0, $7, $8,"
                + " $8, $8, $9, $10) ON CONFLICT (release_id) DO UPDATE SET rollback_to_tag ="
                + " EXCLUDED.rollback_to_tag, status = EXCLUDED.status, outcome ="
                + " EXCLUDED.outcome, version = EXCLUDED.version, deployed_at ="
                + " EXCLUDED.deployed_at, restored_at = EXCLUDED.restored_at")
        .execute(
            Tuple.from(
                Arrays.asList(
                    id,
                    s.spec().service(),
                    s.spec().tag(),
                    s.rollbackToTag() == null ? "" : s.rollbackToTag(),
                    s.status().wire(),
                    s.status().outcome().wire(),
                    s.version(),
                    at.atOffset(ZoneOffset.UTC),
                    deployedAt == null ? null : deployedAt.atOffset(ZoneOffset.UTC),
                    restoredAt == null ? null : restoredAt.atOffset(ZoneOffset.UTC),
                    s.spec().repository())))
        .await()
        .atMost(WAIT);
  }
}
