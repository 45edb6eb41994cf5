package dev.rmm.gateway.releases;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.Outcome;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.gateway.access.PoliciesInForce;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the releases that the bot shows from the Postgres read model (schema {@code read_model},
 * built by release-projector). Lists are ordered as release-api orders them: newest first. Calls
 * block: they run on the bot's worker threads and the team-card consumer, never on an event loop.
 */
@ApplicationScoped
public class ReleaseReader {

  private static final String SCHEMA = "read_model";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** One card of a list: the release, its position from 0, and the size of the list. */
  public record Page(JsonNode release, Outcome list, int index, int total) {}

  /** A tag of a service that reached production, and when. */
  public record DeployedTag(String tag, String releaseId, OffsetDateTime deployedAt) {}

  /**
   * The rollback picker's content: the tags a release may be rolled back to, and the tag that runs
   * in production (null when no deploy of the service is known).
   */
  public record RollbackPicker(List<DeployedTag> tags, String production) {}

  /** An active release that has not changed since its last event, and that event's traceparent. */
  public record Unchanged(JsonNode release, String traceparent) {}

  /**
   * A runbook step that failed, as its event recorded it: the orchestrator redacted the command and
   * the output tail before they were written.
   */
  public record FailedStep(String step, String command, int exitCode, String outputTail) {}

  /** The most stuck releases one look returns (the oldest first). */
  private static final int MAX_UNCHANGED = 100;

  private final Pool pg;
  private final PoliciesInForce policies;

  ReleaseReader(Pool pg, PoliciesInForce policies) {
    this.pg = pg;
    this.policies = policies;
  }

  /** The card at {@code index} of a list (wrapped into range), or empty when the list is empty. */
  public Optional<Page> page(Outcome list, int index) {
    long total = count(list);
    if (total == 0) {
      return Optional.empty();
    }
    int at = (int) Math.floorMod(index, total);
    RowSet<Row> rows =
        run(
            "SELECT to_jsonb(r) AS j FROM "
                + SCHEMA
                + ".releases r WHERE outcome = $1 ORDER BY created_at DESC, release_id"
                + " LIMIT 1 OFFSET $2",
            Tuple.of(list.wire(), (long) at));
    if (rows.size() == 0) { // the list shrank between the two queries: show its first card
      return at == 0 ? Optional.empty() : page(list, 0);
    }
    return Optional.of(new Page(json(rows.iterator().next()), list, at, (int) total));
  }

  /** A release with its position in the list it now belongs to. */
  public Optional<Page> pageOf(String releaseId) {
    RowSet<Row> rows =
        run(
            "SELECT to_jsonb(r) AS j, (SELECT count(*) FROM "
                + SCHEMA
                + ".releases o WHERE o.outcome = r.outcome AND (o.created_at > r.created_at OR"
                + " (o.created_at = r.created_at AND o.release_id < r.release_id))) AS idx,"
                + " (SELECT count(*) FROM "
                + SCHEMA
                + ".releases o WHERE o.outcome = r.outcome) AS total FROM "
                + SCHEMA
                + ".releases r WHERE release_id = $1",
            Tuple.of(releaseId));
    if (rows.size() == 0) {
      return Optional.empty();
    }
    Row row = rows.iterator().next();
    JsonNode release = json(row);
    return Optional.of(
        new Page(
            release,
            ReleaseStatus.fromWire(release.path("status").asText()).outcome(),
            row.getLong("idx").intValue(),
            row.getLong("total").intValue()));
  }

  public Optional<JsonNode> release(String releaseId) {
    RowSet<Row> rows =
        run(
            "SELECT to_jsonb(r) AS j FROM " + SCHEMA + ".releases r WHERE release_id = $1",
            Tuple.of(releaseId));
    return rows.size() == 0 ? Optional.empty() : Optional.of(json(rows.iterator().next()));
  }

  /**
   * The release once the read model has applied at least {@code version} of it, waiting up to
   * {@code patience} for the projector; the newest row it has otherwise (which may be older).
   */
  public Optional<JsonNode> releaseAtLeast(String releaseId, long version, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    long pause = 5;
    while (true) {
      Optional<JsonNode> r = release(releaseId);
      if (r.isPresent() && r.get().path("version").asLong() >= version
          || System.nanoTime() > deadline) {
        return r;
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return r;
      }
      pause = Math.min(pause * 2, 200);
    }
  }

  /**
   * What a release may be rolled back to, by the rule release-api checks every rollback against
   * (the read model's views {@code rollback_targets} and {@code production_tags},
   * release-projector's V7 migration): at most {@code limit} tags, the most recently deployed
   * first, and the tag that runs in production now.
   */
  public RollbackPicker rollbackTargets(String releaseId, int limit) {
    RowSet<Row> rows =
        run(
            "SELECT target_tag, target_release_id, target_deployed_at FROM "
                + SCHEMA
                + ".rollback_targets WHERE release_id = $1"
                + " ORDER BY target_deployed_at DESC, target_tag LIMIT $2",
            Tuple.of(releaseId, limit));
    List<DeployedTag> tags = new ArrayList<>();
    rows.forEach(
        r ->
            tags.add(
                new DeployedTag(
                    r.getString("target_tag"),
                    r.getString("target_release_id"),
                    r.getOffsetDateTime("target_deployed_at"))));
    RowSet<Row> production =
        run(
            "SELECT p.tag FROM "
                + SCHEMA
                + ".production_tags p JOIN "
                + SCHEMA
                + ".releases r ON r.service_name = p.service_name WHERE r.release_id = $1",
            Tuple.of(releaseId));
    String now = production.size() == 0 ? null : production.iterator().next().getString("tag");
    return new RollbackPicker(tags, now);
  }

  /**
   * Active releases whose last event is older than {@code before}, oldest first, each with the
   * trace context of that last event (null when it had none).
   */
  public List<Unchanged> activeUnchangedSince(Instant before) {
    RowSet<Row> rows =
        run(
            "SELECT to_jsonb(r) AS j, (SELECT e.traceparent FROM "
                + SCHEMA
                + ".release_events e WHERE e.release_id = r.release_id AND e.sequence = r.version)"
                + " AS tp FROM "
                + SCHEMA
                + ".releases r WHERE outcome = $1 AND updated_at < $2 ORDER BY updated_at LIMIT "
                + MAX_UNCHANGED,
            Tuple.of(Outcome.ACTIVE.wire(), before.atOffset(ZoneOffset.UTC)));
    List<Unchanged> found = new ArrayList<>();
    rows.forEach(r -> found.add(new Unchanged(json(r), r.getString("tp"))));
    return found;
  }

  /** The release's last runbook step that failed, from its timeline; empty when none failed. */
  public Optional<FailedStep> lastFailedStep(String releaseId) {
    RowSet<Row> rows =
        run(
            "SELECT data FROM "
                + SCHEMA
                + ".release_events WHERE release_id = $1 AND type = $2"
                + " AND (data->>'ok')::boolean IS FALSE ORDER BY sequence DESC LIMIT 1",
            Tuple.of(releaseId, ReleaseEvent.RunbookStep.TYPE));
    if (rows.size() == 0) {
      return Optional.empty();
    }
    JsonObject d = rows.iterator().next().getJsonObject("data");
    return Optional.of(
        new FailedStep(
            d.getString("step"),
            d.getString("command"),
            d.getInteger("exit_code", -1),
            d.getString("output_tail")));
  }

  private long count(Outcome list) {
    return run(
            "SELECT count(*) AS n FROM " + SCHEMA + ".releases WHERE outcome = $1",
            Tuple.of(list.wire()))
        .iterator()
        .next()
        .getLong("n");
  }

  private RowSet<Row> run(String sql, Tuple args) {
    return pg.preparedQuery(sql).execute(args).await().atMost(TIMEOUT);
  }

  /** The row as JSON, with the policy in force over the one the release recorded. */
  private JsonNode json(Row r) {
    try {
      return policies.overlay(EventCodec.mapper().readTree(r.getJson("j").toString()));
    } catch (IOException e) {
      throw new IllegalStateException("unreadable release JSON from the read model", e);
    }
  }
}
