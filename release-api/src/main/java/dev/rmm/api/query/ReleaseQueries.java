package dev.rmm.api.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.Outcome;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;

/**
 * Reads the Postgres read model that release-projector maintains (schema {@code read_model}). Rows
 * are turned into JSON by Postgres itself ({@code to_jsonb}), so column names are the field names
 * of the API.
 */
@ApplicationScoped
public class ReleaseQueries {

  /** The live read model; a rebuild swaps a fresh schema in under this name. */
  public static final String SCHEMA = "read_model";

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
  private static Throwable readModelError(Throwable t) {
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
