package dev.rmm.gateway.releases;

import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.Outcome;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.readmodel.ReadModel;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.gateway.access.PoliciesInForce;
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
 * Reads the releases that the bot shows from the Postgres read model (schema {@link
 * ReadModel#SCHEMA}, built by release-projector), each bound to a typed {@link ReleaseView}. Lists
 * are ordered as release-api orders them: newest first. Calls block: they run on the bot's worker
 * threads and the team-card consumer, never on an event loop.
 */
@ApplicationScoped
public class ReleaseReader {

  private static final String SCHEMA = ReadModel.SCHEMA;
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /**
   * One card of a list: the release, its position from 0, and the size of the list; {@code service}
   * is the one service the list is narrowed to, or null for every service.
   */
  public record Page(ReleaseView release, Outcome list, int index, int total, String service) {}

  /**
   * The delivery (DORA) figures of a window, from the read model's moments of each release (the
   * same columns as the delivery metrics): medians in seconds, null when nothing was measured.
   *
   * @param deployments releases that reached production in the window
   * @param changes production deploys started in the window
   * @param failedChanges of those, failed in production or rolled back
   * @param perDay deployments per day of the window in the team's zone, the oldest day first
   */
  public record Stats(
      long deployments,
      Double leadTimeMedian,
      long changes,
      long failedChanges,
      Double timeToRestoreMedian,
      Double approvalWaitMedian,
      long[] perDay) {}

  /** A service with releases in a list, how many, and when its newest one was created. */
  public record ServiceCount(String service, long releases) {}

  /** A tag of a service that reached production, and when. */
  public record DeployedTag(String tag, String releaseId, OffsetDateTime deployedAt) {}

  /**
   * The rollback picker's content: the tags a release may be rolled back to, and the tag that runs
   * in production (null when no deploy of the service is known).
   */
  public record RollbackPicker(List<DeployedTag> tags, String production) {}

  /** An active release that has not changed since its last event, and that event's traceparent. */
  public record Unchanged(ReleaseView release, String traceparent) {}

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
    return page(list, index, null);
  }

  /**
   * The card at {@code index} of a list narrowed to one service (null: every service), wrapped into
   * range; empty when the list is empty.
   */
  public Optional<Page> page(Outcome list, int index, String service) {
    long total =
        run(
                "SELECT count(*) AS n FROM "
                    + SCHEMA
                    + ".releases WHERE outcome = $1"
                    + (service == null ? "" : " AND service_name = $2"),
                service == null ? Tuple.of(list.wire()) : Tuple.of(list.wire(), service))
            .iterator()
            .next()
            .getLong("n");
    if (total == 0) {
      return Optional.empty();
    }
    int at = (int) Math.floorMod(index, total);
    RowSet<Row> rows =
        run(
            "SELECT to_jsonb(r) AS j FROM "
                + SCHEMA
                + ".releases r WHERE outcome = $1"
                + (service == null ? "" : " AND service_name = $3")
                + " ORDER BY created_at DESC, release_id LIMIT 1 OFFSET $2",
            service == null
                ? Tuple.of(list.wire(), (long) at)
                : Tuple.of(list.wire(), (long) at, service));
    if (rows.size() == 0) { // the list shrank between the two queries: show its first card
      return at == 0 ? Optional.empty() : page(list, 0, service);
    }
    return Optional.of(new Page(view(rows.iterator().next()), list, at, (int) total, service));
  }

  /** A release with its position in the list it now belongs to. */
  public Optional<Page> pageOf(String releaseId) {
    return pageOf(releaseId, false);
  }

  /**
   * A release with its position in the list it now belongs to, among its own service's releases
   * when {@code withinService}.
   */
  public Optional<Page> pageOf(String releaseId, boolean withinService) {
    String same = withinService ? " AND o.service_name = r.service_name" : "";
    RowSet<Row> rows =
        run(
            "SELECT to_jsonb(r) AS j, (SELECT count(*) FROM "
                + SCHEMA
                + ".releases o WHERE o.outcome = r.outcome"
                + same
                + " AND (o.created_at > r.created_at OR"
                + " (o.created_at = r.created_at AND o.release_id < r.release_id))) AS idx,"
                + " (SELECT count(*) FROM "
                + SCHEMA
                + ".releases o WHERE o.outcome = r.outcome"
                + same
                + ") AS total FROM "
                + SCHEMA
                + ".releases r WHERE release_id = $1",
            Tuple.of(releaseId));
    if (rows.size() == 0) {
      return Optional.empty();
    }
    Row row = rows.iterator().next();
    ReleaseView release = view(row);
    return Optional.of(
        new Page(
            release,
            release.status().outcome(),
            row.getLong("idx").intValue(),
            row.getLong("total").intValue(),
            withinService ? release.serviceName() : null));
  }

  /** The services with releases in a list, the one with the newest release first. */
  public List<ServiceCount> services(Outcome list) {
    List<ServiceCount> out = new ArrayList<>();
    run(
            "SELECT service_name, count(*) AS n FROM "
                + SCHEMA
                + ".releases WHERE outcome = $1 GROUP BY service_name"
                + " ORDER BY max(created_at) DESC, service_name",
            Tuple.of(list.wire()))
        .forEach(r -> out.add(new ServiceCount(r.getString("service_name"), r.getLong("n"))));
    return out;
  }

  /** The newest release of a service with this tag. */
  public Optional<String> releaseIdOf(String service, String tag) {
    RowSet<Row> rows =
        run(
            "SELECT release_id FROM "
                + SCHEMA
                + ".releases WHERE service_name = $1 AND release_tag = $2"
                + " ORDER BY created_at DESC LIMIT 1",
            Tuple.of(service, tag));
    return rows.size() == 0
        ? Optional.empty()
        : Optional.of(rows.iterator().next().getString("release_id"));
  }

  /**
   * The delivery figures of one service (or every service, when null) over the last {@code days}
   * days up to {@code now}, the days counted in {@code zone}.
   */
  public Stats stats(String service, Instant now, int days, java.time.ZoneId zone) {
    java.time.LocalDate first = now.atZone(zone).toLocalDate().minusDays(days - 1L);
    OffsetDateTime since = first.atStartOfDay(zone).toOffsetDateTime();
    String only = service == null ? "" : " AND service_name = $2";
    Tuple args = service == null ? Tuple.of(since) : Tuple.of(since, service);
    Row f =
        run(
                "SELECT count(*) FILTER (WHERE deployed_at >= $1) AS deployments,"
                    + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM deployed_at"
                    + " - created_at)) FILTER (WHERE deployed_at >= $1) AS lead,"
                    + " count(*) FILTER (WHERE deploying_at >= $1) AS changes,"
                    + " count(*) FILTER (WHERE deploying_at >= $1 AND status IN"
                    + " ('production_failed', 'production_rollback', 'rollback_done',"
                    + " 'rollback_failed')) AS failed,"
                    + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM restored_at"
                    + " - rollback_started_at)) FILTER (WHERE restored_at >= $1) AS restore,"
                    + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at -"
                    + " manual_testing_at)) FILTER (WHERE decided_at >= $1) AS wait FROM "
                    + SCHEMA
                    + ".releases WHERE greatest(deployed_at, deploying_at, restored_at, decided_at)"
                    + " >= $1"
                    + only,
                args)
            .iterator()
            .next();
    long[] perDay = new long[days];
    int zoneArg = service == null ? 2 : 3;
    run(
            "SELECT (deployed_at AT TIME ZONE $"
                + zoneArg
                + ")::date AS d, count(*) AS n FROM "
                + SCHEMA
                + ".releases WHERE deployed_at >= $1"
                + only
                + " GROUP BY 1",
            service == null
                ? Tuple.of(since, zone.getId())
                : Tuple.of(since, service, zone.getId()))
        .forEach(
            r -> {
              long day = java.time.temporal.ChronoUnit.DAYS.between(first, r.getLocalDate("d"));
              if (day >= 0 && day < days) {
                perDay[(int) day] = r.getLong("n");
              }
            });
    return new Stats(
        f.getLong("deployments"),
        f.getDouble("lead"),
        f.getLong("changes"),
        f.getLong("failed"),
        f.getDouble("restore"),
        f.getDouble("wait"),
        perDay);
  }

  /** A service's newest releases, newest first. */
  public List<ReleaseView> history(String service, int limit) {
    List<ReleaseView> out = new ArrayList<>();
    run(
            "SELECT to_jsonb(r) AS j FROM "
                + SCHEMA
                + ".releases r WHERE service_name = $1 ORDER BY created_at DESC, release_id"
                + " LIMIT $2",
            Tuple.of(service, limit))
        .forEach(r -> out.add(view(r)));
    return out;
  }

  public Optional<ReleaseView> release(String releaseId) {
    RowSet<Row> rows =
        run(
            "SELECT to_jsonb(r) AS j FROM " + SCHEMA + ".releases r WHERE release_id = $1",
            Tuple.of(releaseId));
    return rows.size() == 0 ? Optional.empty() : Optional.of(view(rows.iterator().next()));
  }

  /**
   * The release once the read model has applied at least {@code version} of it, waiting up to
   * {@code patience} for the projector; the newest row it has otherwise (which may be older).
   */
  public Optional<ReleaseView> releaseAtLeast(String releaseId, long version, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    long pause = 5;
    while (true) {
      Optional<ReleaseView> r = release(releaseId);
      if (r.isPresent() && r.get().version() >= version || System.nanoTime() > deadline) {
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
    rows.forEach(r -> found.add(new Unchanged(view(r), r.getString("tp"))));
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
    // the timeline keeps the event's data as the event codec wrote it: bound to the event itself
    ReleaseEvent.RunbookStep step;
    try {
      step =
          EventCodec.mapper()
              .readValue(
                  rows.iterator().next().getJsonObject("data").encode(),
                  ReleaseEvent.RunbookStep.class);
    } catch (IOException e) {
      throw new IllegalStateException(
          "unreadable runbook step of release " + releaseId + " in the read model", e);
    }
    return Optional.of(
        new FailedStep(step.step(), step.command(), step.exitCode(), step.outputTail()));
  }

  private RowSet<Row> run(String sql, Tuple args) {
    return pg.preparedQuery(sql).execute(args).await().atMost(TIMEOUT);
  }

  /**
   * The row ({@code to_jsonb}) bound to its typed view, with the policy in force over the one the
   * release recorded.
   */
  private ReleaseView view(Row r) {
    try {
      return policies.overlay(
          EventCodec.mapper().readValue(r.getJson("j").toString(), ReleaseView.class));
    } catch (IOException e) {
      throw new IllegalStateException("unreadable release JSON from the read model", e);
    }
  }
}
