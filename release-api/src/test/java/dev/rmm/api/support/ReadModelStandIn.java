package dev.rmm.api.support;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
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
      // in version order, as Flyway applies them: by name, V11__ would come before V1__
      for (Path f :
          files.sorted(java.util.Comparator.comparingInt(ReadModelStandIn::version)).toList()) {
        sql.append(Files.readString(f)).append(';');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sql.append("RESET search_path;");
    pg.query(sql.toString()).execute().await().atMost(WAIT);
  }

  /** The version of a migration file {@code V<n>__<name>.sql}. */
  private static int version(Path migration) {
    String name = migration.getFileName().toString();
    return Integer.parseInt(name.substring(1, name.indexOf("__")));
  }

  public void drop() {
    pg.query("DROP SCHEMA IF EXISTS read_model CASCADE").execute().await().atMost(WAIT);
  }

  /** Writes the row of each release as its events in the log make it. */
  public void mirror(ReleaseLog log, String... releaseIds) {
    Arrays.stream(releaseIds).forEach(id -> upsert(id, log.events(id)));
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
