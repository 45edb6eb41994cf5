package dev.rmm.api.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.Outcome;
import dev.rmm.contracts.readmodel.ReadModel;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the Postgres read model that release-projector maintains (schema {@code read_model}). Rows
 * are turned into JSON by Postgres itself ({@code to_jsonb}), so column names are the field names
 * of the API.
 */
@ApplicationScoped
public class ReleaseQueries {

  /** The live read model; a rebuild swaps a fresh schema in under this name. */
  public static final String SCHEMA = ReadModel.SCHEMA;

  private static final String RELEASE_JSON =
      "to_jsonb(r) - 'admins' - 'initiator_may_approve' - 'head_hash' - 'head_chained' AS j";

  private final Pool pg;

  ReleaseQueries(Pool pg) {
    this.pg = pg;
  }

  /**
   * Releases by outcome, newest first, paginated.
   *
   * @param repository only this repository's releases (a pipeline's read scope); null: all
   */
  public Uni<ObjectNode> list(
      Outcome outcome, String service, String repository, int page, int size) {
    Tuple args =
        Tuple.tuple()
            .addString(outcome.wire())
            .addString(service)
            .addInteger(size)
            .addLong((long) (page - 1) * size)
            .addString(repository);
    Uni<RowSet<Row>> items =
        pg.preparedQuery(
                "SELECT "
                    + RELEASE_JSON
                    + " FROM "
                    + SCHEMA
                    + ".releases r WHERE outcome = $1 AND ($2::text IS NULL OR service_name = $2)"
                    + " AND ($5::text IS NULL OR lower(repository) = lower($5))"
                    + " ORDER BY created_at DESC, release_id LIMIT $3 OFFSET $4")
            .execute(args);
    Uni<RowSet<Row>> total =
        pg.preparedQuery(
                "SELECT count(*) AS n FROM "
                    + SCHEMA
                    + ".releases WHERE outcome = $1 AND ($2::text IS NULL OR service_name = $2)"
                    + " AND ($3::text IS NULL OR lower(repository) = lower($3))")
            .execute(Tuple.of(outcome.wire(), service, repository));
    return Uni.combine()
        .all()
        .unis(items, total)
        .asTuple()
        .map(
            t -> {
              ObjectNode n = EventCodec.mapper().createObjectNode();
              var arr = n.putArray("items");
              t.getItem1().forEach(r -> arr.add(json(r)));
              long count = t.getItem2().iterator().next().getLong("n");
              n.put("page", page);
              n.put("size", size);
              n.put("total", count);
              n.put("pages", (count + size - 1) / size);
              return n;
            })
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  /** One release with its approvals, or null. */
  public Uni<ObjectNode> release(String id) {
    return pg.preparedQuery(
            "SELECT " + RELEASE_JSON + " FROM " + SCHEMA + ".releases r WHERE release_id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : (ObjectNode) json(rows.iterator().next()))
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  /**
   * Every event of a release in order, or null when the release is unknown. An action an admin
   * token took for a user shows the admin as {@code actor} and the user as {@code
   * actor.on_behalf_of}.
   */
  public Uni<ObjectNode> timeline(String id) {
    return pg.preparedQuery(
            "SELECT jsonb_build_object('sequence', sequence, 'event_id', event_id, 'type', type,"
                + " 'occurred_at', occurred_at, 'actor', jsonb_build_object('kind', actor_kind,"
                + " 'id', actor_id, 'name', actor_name) || CASE WHEN on_behalf_of_kind IS NULL"
                + " THEN '{}'::jsonb ELSE jsonb_build_object('on_behalf_of',"
                + " jsonb_build_object('kind', on_behalf_of_kind, 'id', on_behalf_of_id, 'name',"
                + " on_behalf_of_name)) END, 'correlation_id', correlation_id,"
                + " 'causation_id', causation_id, 'traceparent', traceparent,"
                + " 'trace_id', substring(traceparent from 4 for 32), 'data', data) AS j"
                + " FROM "
                + SCHEMA
                + ".release_events WHERE release_id = $1 ORDER BY sequence")
        .execute(Tuple.of(id))
        .map(
            rows -> {
              if (rows.size() == 0) {
                return null;
              }
              ObjectNode n = EventCodec.mapper().createObjectNode();
              n.put("release_id", id);
              var events = n.putArray("events");
              rows.forEach(r -> events.add(json(r)));
              return n;
            })
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  /**
   * Tags of a service that reached production, newest first, with when, and the tag that runs in
   * production now ({@code production_tag}, null when nothing was deployed).
   */
  public Uni<ObjectNode> deployedTags(String service, String repository) {
    Uni<RowSet<Row>> tags =
        pg.preparedQuery(
                "SELECT jsonb_build_object('release_tag', release_tag, 'release_id', release_id,"
                    + " 'deployed_at', deployed_at, 'status', status) AS j FROM "
                    + SCHEMA
                    + ".releases WHERE service_name = $1 AND deployed_at IS NOT NULL"
                    + " AND ($2::text IS NULL OR lower(repository) = lower($2))"
                    + " ORDER BY deployed_at DESC")
            .execute(Tuple.of(service, repository));
    Uni<RowSet<Row>> production =
        pg.preparedQuery(
                "SELECT tag FROM "
                    + SCHEMA
                    + ".production_tags WHERE service_name = $1 AND ($2::text IS NULL OR EXISTS"
                    + " (SELECT 1 FROM "
                    + SCHEMA
                    + ".releases r WHERE r.service_name = $1 AND lower(r.repository) = lower($2)))")
            .execute(Tuple.of(service, repository));
    return Uni.combine()
        .all()
        .unis(tags, production)
        .asTuple()
        .map(
            t -> {
              ObjectNode n = EventCodec.mapper().createObjectNode();
              n.put("service", service);
              var found = t.getItem2().iterator();
              n.put("production_tag", found.hasNext() ? found.next().getString("tag") : null);
              var list = n.putArray("tags");
              t.getItem1().forEach(r -> list.add(json(r)));
              return n;
            })
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  /**
   * What a release may be rolled back to, by the rule of the views {@code rollback_targets} and
   * {@code production_tags} (release-projector's V8 migration; the gateway's picker reads the same
   * views): {@code {"release_id", "service", "release_tag", "production_tag", "targets": [{"tag",
   * "release_id", "deployed_at"}]}}, the most recently deployed target first; null when the read
   * model does not know the release.
   */
  public Uni<ObjectNode> rollbackTargets(String releaseId) {
    return pg.preparedQuery(
            "SELECT jsonb_build_object('release_id', r.release_id, 'service', r.service_name,"
                + " 'release_tag', r.release_tag, 'production_tag', (SELECT p.tag FROM "
                + SCHEMA
                + ".production_tags p WHERE p.service_name = r.service_name), 'targets',"
                + " coalesce((SELECT jsonb_agg(jsonb_build_object('tag', t.target_tag,"
                + " 'release_id', t.target_release_id, 'deployed_at', t.target_deployed_at)"
                + " ORDER BY t.target_deployed_at DESC, t.target_tag) FROM "
                + SCHEMA
                + ".rollback_targets t WHERE t.release_id = r.release_id), '[]'::jsonb)) AS j"
                + " FROM "
                + SCHEMA
                + ".releases r WHERE r.release_id = $1")
        .execute(Tuple.of(releaseId))
        .map(rows -> rows.size() == 0 ? null : (ObjectNode) json(rows.iterator().next()))
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  /**
   * Where each event of a release's timeline is stored in the log, in order: {@code sequence},
   * {@code event_id}, {@code partition}, {@code offset} (what the web console reads back to check
   * the release's hash chain); empty when the read model does not know the release.
   */
  public Uni<List<EventPosition>> eventPositions(String releaseId) {
    return pg.preparedQuery(
            "SELECT sequence, event_id, kafka_partition, kafka_offset FROM "
                + SCHEMA
                + ".release_events WHERE release_id = $1 ORDER BY sequence")
        .execute(Tuple.of(releaseId))
        .map(
            rows -> {
              List<EventPosition> out = new ArrayList<>();
              rows.forEach(
                  r ->
                      out.add(
                          new EventPosition(
                              r.getLong("sequence"),
                              r.getString("event_id"),
                              r.getInteger("kafka_partition"),
                              r.getLong("kafka_offset"))));
              return out;
            })
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  /**
   * The hash of the release's last event as the projector recorded it when it took the event in
   * ({@code head_hash}); null when the release is unknown or was projected before hashes were kept.
   */
  public Uni<String> headHash(String releaseId) {
    return pg.preparedQuery("SELECT head_hash FROM " + SCHEMA + ".releases WHERE release_id = $1")
        .execute(Tuple.of(releaseId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("head_hash"))
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  /**
   * A service's delivery (DORA) figures over the last 7, 30 and 90 days, from the same release
   * columns as release-projector's delivery metrics (deployed_at, deploying_at, manual_testing_at,
   * decided_at, rollback_started_at, restored_at): one row per window, oldest window last.
   */
  public Uni<List<DoraWindow>> dora(String service) {
    return pg.preparedQuery(
            "SELECT w.days,"
                + " count(*) FILTER (WHERE deployed_at >= now() - w.span) AS deploys,"
                + " extract(epoch FROM avg(deployed_at - created_at)"
                + "   FILTER (WHERE deployed_at >= now() - w.span)) AS lead_seconds,"
                + " count(*) FILTER (WHERE deploying_at >= now() - w.span) AS changes,"
                + " count(*) FILTER (WHERE deploying_at >= now() - w.span AND status IN"
                + "   ('production_failed', 'production_rollback', 'rollback_done',"
                + "   'rollback_failed')) AS failed,"
                + " extract(epoch FROM avg(restored_at - rollback_started_at)"
                + "   FILTER (WHERE restored_at >= now() - w.span)) AS restore_seconds,"
                + " extract(epoch FROM avg(decided_at - manual_testing_at)"
                + "   FILTER (WHERE decided_at >= now() - w.span)) AS approval_wait_seconds"
                + " FROM (VALUES (7), (30), (90)) AS w0(days)"
                + " CROSS JOIN LATERAL (SELECT w0.days, w0.days * interval '1 day' AS span) w"
                + " LEFT JOIN "
                + SCHEMA
                + ".releases r ON r.service_name = $1"
                + " GROUP BY w.days ORDER BY w.days")
        .execute(Tuple.of(service))
        .map(
            rows -> {
              List<DoraWindow> out = new ArrayList<>();
              rows.forEach(
                  r ->
                      out.add(
                          new DoraWindow(
                              r.getInteger("days"),
                              r.getLong("deploys"),
                              seconds(r, "lead_seconds"),
                              r.getLong("changes"),
                              r.getLong("failed"),
                              seconds(r, "restore_seconds"),
                              seconds(r, "approval_wait_seconds"))));
              return out;
            })
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  /**
   * A service's delivery figures over the last {@code days} days; a mean is null when nothing was
   * measured in the window.
   *
   * @param deploys releases that reached production
   * @param changes production deploys started
   * @param failed of those, failed or rolled back
   */
  public record DoraWindow(
      int days,
      long deploys,
      Double leadSeconds,
      long changes,
      long failed,
      Double restoreSeconds,
      Double approvalWaitSeconds) {}

  private static Double seconds(Row r, String column) {
    Object v = r.getValue(column);
    return v == null ? null : ((Number) v).doubleValue();
  }

  /** Where one event of a release is stored in the log. */
  public record EventPosition(long sequence, String eventId, int partition, long offset) {}

  /**
   * How far the projection has read the log: the sum of its positions over every partition. It
   * grows with every event the read model takes in, so a change of it is a change of the read model
   * (the web console's live pages follow it). Fails like the other queries while the read model is
   * away.
   */
  public Uni<Long> projectionPosition() {
    return pg.query(
            "SELECT coalesce(sum(next_offset), 0) AS p FROM " + SCHEMA + ".projection_positions")
        .execute()
        .map(rows -> rows.iterator().next().getLong("p"))
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  private static JsonNode json(Row r) {
    try {
      return EventCodec.mapper().readTree(r.getJson("j").toString());
    } catch (IOException e) {
      throw new IllegalStateException("unreadable JSON from Postgres", e);
    }
  }

  /**
   * A failure that says the read model cannot answer now becomes {@link
   * ReadModelUnavailableException} (503 with Retry-After); anything else (a bug) stays what it is.
   */
  static Throwable readModelError(Throwable t) {
    if (t instanceof PgException pe && "42P01".equals(pe.getSqlState())) {
      return new ReadModelUnavailableException(
          "the read model does not exist yet: is release-projector running?", t);
    }
    if (ReadModelFailures.isUnreachable(t)) {
      return new ReadModelUnavailableException(
          "the read model (PostgreSQL) cannot be reached; writes are not affected, retry the"
              + " query shortly",
          t);
    }
    return t;
  }
}
