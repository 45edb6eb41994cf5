package dev.rmm.api.query;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The web console's board reads: one page of releases in one statement, and the names of every
 * service. The page is cut first (its own index-ordered subquery), and only its rows then look up
 * their newest event's trace id (a lateral join on the timeline's primary key): a page of 50 costs
 * 50 index probes, whatever the read model holds.
 */
@ApplicationScoped
public class BoardQueries {

  private static final String SCHEMA = ReleaseQueries.SCHEMA;

  /**
   * The board's order: by service, then newest first. It leads with the name's first 200
   * characters, the key of the read model's index {@code releases_board} (release-projector's V17),
   * which is the same order for any name shorter than that.
   */
  private static final String ORDER =
      "left(service_name, 200), service_name, created_at DESC, release_id";

  private static final String PAGE =
      "SELECT p.release_id, p.service_name, p.release_tag, p.status, p.quorum, p.created_at,"
          + " p.github_action_link, p.commit_sha, jsonb_array_length(p.approved_list) AS approved,"
          + " (SELECT string_agg(coalesce(a.person->>'name', a.person->>'id'), ', ' ORDER BY a.n)"
          + " FROM jsonb_array_elements(p.approved_list) WITH ORDINALITY AS a(person, n))"
          + " AS approved_by, substring(e.traceparent from 4 for 32) AS trace_id"
          + " FROM (SELECT release_id, service_name, release_tag, status, quorum, created_at,"
          + " github_action_link, commit_sha, approved_list FROM "
          + SCHEMA
          + ".releases WHERE ($1::text IS NULL OR service_name = $1)"
          + " AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR outcome = $3)"
          + " AND ($4::timestamptz IS NULL OR created_at >= $4)"
          + " AND ($5::timestamptz IS NULL OR created_at < $5)"
          + " AND ($6::text IS NULL OR strpos(lower(release_tag), lower($6)) > 0"
          + " OR starts_with(lower(commit_sha), lower($6)))"
          + " ORDER BY "
          + ORDER
          + " LIMIT $7 OFFSET $8) p"
          + " LEFT JOIN LATERAL (SELECT traceparent FROM "
          + SCHEMA
          + ".release_events WHERE release_id = p.release_id ORDER BY sequence DESC LIMIT 1) e"
          + " ON true ORDER BY "
          + ORDER;

  private final Pool pg;

  BoardQueries(Pool pg) {
    this.pg = pg;
  }

  /**
   * The releases {@code filter} lets through, by service and then newest first, from its offset on
   * and at most its limit of them.
   */
  public Uni<List<BoardRelease>> page(BoardFilter filter) {
    Tuple args =
        Tuple.tuple()
            .addString(filter.service())
            .addString(filter.status())
            .addString(filter.outcome())
            .addOffsetDateTime(utc(filter.from()))
            .addOffsetDateTime(utc(filter.to()))
            .addString(filter.search())
            .addInteger(filter.limit())
            .addLong(filter.offset());
    return pg.preparedQuery(PAGE)
        .execute(args)
        .map(
            rows -> {
              List<BoardRelease> out = new ArrayList<>(rows.size());
              rows.forEach(r -> out.add(from(r)));
              return out;
            })
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  /**
   * Every service the read model has releases of, by name (the board's service filter). A scan of
   * every release: the console keeps the answer for a while ({@code ServiceNames}).
   */
  public Uni<List<String>> services() {
    return pg.query(
            "SELECT DISTINCT service_name FROM " + SCHEMA + ".releases ORDER BY 1 LIMIT 1000")
        .execute()
        .map(
            rows -> {
              List<String> out = new ArrayList<>();
              rows.forEach(r -> out.add(r.getString("service_name")));
              return out;
            })
        .onFailure()
        .transform(ReleaseQueries::readModelError);
  }

  private static BoardRelease from(Row r) {
    OffsetDateTime created = r.getOffsetDateTime("created_at");
    String approvedBy = r.getString("approved_by");
    return new BoardRelease(
        r.getString("release_id"),
        r.getString("service_name"),
        r.getString("release_tag"),
        r.getString("status"),
        r.getInteger("approved"),
        approvedBy == null ? "" : approvedBy,
        r.getInteger("quorum"),
        created == null ? null : created.toInstant(),
        r.getString("github_action_link"),
        r.getString("commit_sha"),
        r.getString("trace_id"));
  }

  private static OffsetDateTime utc(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }
}
