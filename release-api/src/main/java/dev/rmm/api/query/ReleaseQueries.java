package dev.rmm.api.query;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.api.query.QueryViews.DeployedTag;
import dev.rmm.api.query.QueryViews.DeployedTags;
import dev.rmm.api.query.QueryViews.ReleaseList;
import dev.rmm.api.query.QueryViews.RollbackTarget;
import dev.rmm.api.query.QueryViews.RollbackTargetList;
import dev.rmm.api.query.QueryViews.Timeline;
import dev.rmm.api.query.QueryViews.TimelineActor;
import dev.rmm.api.query.QueryViews.TimelineEvent;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.Outcome;
import dev.rmm.contracts.readmodel.ReadModel;
import dev.rmm.contracts.readmodel.ReleaseView;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.Json;
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
 * Reads the Postgres read model that release-projector maintains (schema {@code read_model}) into
 * typed views: a release row is contracts' {@link ReleaseView} (bound by name from {@code
 * to_jsonb}, as telegram-gateway binds it), the other answers are {@link QueryViews}. {@link
 * QueryJson} writes them for the API.
 */
@ApplicationScoped
public class ReleaseQueries {

  /** The live read model; a rebuild swaps a fresh schema in under this name. */
  public static final String SCHEMA = ReadModel.SCHEMA;

  /** A whole release row as JSON text, bound to {@link ReleaseView} by name. */
  private static final String RELEASE_ROW = "to_jsonb(r)::text AS j";

  /** The web console board's rows, as JSON trees without the columns the board never shows. */
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
  public Uni<ReleaseList> list(
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
                    + RELEASE_ROW
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
              List<ReleaseView> releases = new ArrayList<>();
              t.getItem1().forEach(r -> releases.add(release(r)));
              long count = t.getItem2().iterator().next().getLong("n");
              return new ReleaseList(releases, page, size, count, (count + size - 1) / size);
            })
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  /** One release with its approvals, or null. */
  public Uni<ReleaseView> release(String id) {
    return pg.preparedQuery(
            "SELECT " + RELEASE_ROW + " FROM " + SCHEMA + ".releases r WHERE release_id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : release(rows.iterator().next()))
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  /**
   * Every event of a release in order, or null when the release is unknown. An action an admin
   * token took for a user shows the admin as {@code actor} and the user as {@code
   * actor.on_behalf_of}.
   */
  public Uni<Timeline> timeline(String id) {
    return pg.preparedQuery(
            "SELECT sequence, event_id, type, occurred_at, actor_kind, actor_id, actor_name,"
                + " on_behalf_of_kind, on_behalf_of_id, on_behalf_of_name, correlation_id,"
                + " causation_id, traceparent, substring(traceparent from 4 for 32) AS trace_id,"
                + " data FROM "
                + SCHEMA
                + ".release_events WHERE release_id = $1 ORDER BY sequence")
        .execute(Tuple.of(id))
        .map(
            rows -> {
              if (rows.size() == 0) {
                return null;
              }
              List<TimelineEvent> events = new ArrayList<>();
              rows.forEach(r -> events.add(timelineEvent(r)));
              return new Timeline(id, events);
            })
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  private static TimelineEvent timelineEvent(Row r) {
    TimelineActor behalf =
        r.getString("on_behalf_of_kind") == null
            ? null
            : new TimelineActor(
                r.getString("on_behalf_of_kind"),
                r.getString("on_behalf_of_id"),
                r.getString("on_behalf_of_name"),
                null);
    return new TimelineEvent(
        r.getLong("sequence"),
        r.getString("event_id"),
        r.getString("type"),
        r.getOffsetDateTime("occurred_at"),
        new TimelineActor(
            r.getString("actor_kind"), r.getString("actor_id"), r.getString("actor_name"), behalf),
        r.getString("correlation_id"),
        r.getString("causation_id"),
        r.getString("traceparent"),
        r.getString("trace_id"),
        tree(r.getJson("data")));
  }

  /**
   * Tags of a service that reached production, newest first, with when, and the tag that runs in
   * production now ({@code production_tag}, null when nothing was deployed).
   */
  public Uni<DeployedTags> deployedTags(String service, String repository) {
    Uni<RowSet<Row>> tags =
        pg.preparedQuery(
                "SELECT release_tag, release_id, deployed_at, status FROM "
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
              List<DeployedTag> deployed = new ArrayList<>();
              t.getItem1()
                  .forEach(
                      r ->
                          deployed.add(
                              new DeployedTag(
                                  r.getString("release_tag"),
                                  r.getString("release_id"),
                                  r.getOffsetDateTime("deployed_at"),
                                  r.getString("status"))));
              var found = t.getItem2().iterator();
              return new DeployedTags(
                  service, found.hasNext() ? found.next().getString("tag") : null, deployed);
            })
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  /**
   * What a release may be rolled back to, by the rule of the views {@code rollback_targets} and
   * {@code production_tags} (release-projector's V8 migration; the gateway's picker reads the same
   * views), the most recently deployed target first; null when the read model does not know the
   * release. One row per target (one row without a target when there is none).
   */
  public Uni<RollbackTargetList> rollbackTargets(String releaseId) {
    return pg.preparedQuery(
            "SELECT r.release_id, r.service_name, r.release_tag, (SELECT p.tag FROM "
                + SCHEMA
                + ".production_tags p WHERE p.service_name = r.service_name) AS production_tag,"
                + " t.target_tag, t.target_release_id, t.target_deployed_at FROM "
                + SCHEMA
                + ".releases r LEFT JOIN "
                + SCHEMA
                + ".rollback_targets t ON t.release_id = r.release_id WHERE r.release_id = $1"
                + " ORDER BY t.target_deployed_at DESC, t.target_tag")
        .execute(Tuple.of(releaseId))
        .map(
            rows -> {
              if (rows.size() == 0) {
                return null;
              }
              List<RollbackTarget> targets = new ArrayList<>();
              rows.forEach(
                  r -> {
                    if (r.getString("target_tag") != null) {
                      targets.add(
                          new RollbackTarget(
                              r.getString("target_tag"),
                              r.getString("target_release_id"),
                              r.getOffsetDateTime("target_deployed_at")));
                    }
                  });
              Row first = rows.iterator().next();
              return new RollbackTargetList(
                  first.getString("release_id"),
                  first.getString("service_name"),
                  first.getString("release_tag"),
                  first.getString("production_tag"),
                  targets);
            })
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

  /** A release row ({@link #RELEASE_ROW}) bound to its typed view. */
  private static ReleaseView release(Row r) {
    try {
      return EventCodec.mapper().readValue(r.getString("j"), ReleaseView.class);
    } catch (IOException e) {
      throw new IllegalStateException("a release row does not bind to ReleaseView", e);
    }
  }

  /** A JSON column's value (as the Postgres client decoded it) as a tree. */
  private static JsonNode tree(Object json) {
    try {
      return EventCodec.mapper().readTree(Json.encode(json));
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
