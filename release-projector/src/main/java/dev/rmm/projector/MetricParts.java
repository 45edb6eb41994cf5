package dev.rmm.projector;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What one release row adds to its service's delivery metrics, computed in the projector from the
 * row it has just folded: the same parts as the SQL function {@code release_metric_parts} (V7,
 * V14), which stays the definition (a rebuild sums it over every row, and {@code
 * IncrementalMetricsTest} holds the sums kept batch by batch to it). The live projection used to
 * evaluate that function in its upsert, twice per row written (the row as stored, out; the row
 * written, in): ~14 µs of Postgres' CPU per event, a fifth of its share. Here it costs a few map
 * updates, and only for rows whose inputs the batch changed: an approval or a dispatch event leaves
 * them as they were.
 *
 * <p>The inputs are the row's values as Postgres stores them: timestamps cut to microseconds
 * ({@link Projection#micros}), the service name and status as written. Spans are whole
 * microseconds, as {@code extract(epoch ...)} gives them exactly since Postgres 14.
 */
record MetricParts(
    String service,
    String status,
    Long createdAt,
    Long completedAt,
    Long deployedAt,
    Long manualTestingAt,
    Long decidedAt,
    Long deployingAt,
    Long rollbackStartedAt,
    Long restoredAt,
    long breakGlassRequests,
    long breakGlassConfirmations,
    long breakGlassExpiries) {

  /** A metric of a service: {@code delivery_metrics}' key. */
  record Key(String service, String metric, String label) {}

  /** The statuses whose release, once in production, counts as a failed production change. */
  private static final Set<String> FAILED_IN_PRODUCTION =
      Set.of("production_failed", "production_rollback", "rollback_done", "rollback_failed");

  /** The histograms' bucket bounds in seconds, as the SQL function's {@code CASE} has them. */
  private static final long[] BUCKETS = {
    60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 259200, 604800
  };

  /** The inputs of {@code row} as the row is stored. */
  static MetricParts of(ReleaseRow row) {
    return new MetricParts(
        PgText.text(row.service),
        row.status.wire(),
        micros(row.createdAt),
        micros(row.completedAt),
        micros(row.deployedAt),
        micros(row.manualTestingAt),
        micros(row.decidedAt),
        micros(row.deployingAt),
        micros(row.rollbackStartedAt),
        micros(row.restoredAt),
        count(row, "requests"),
        count(row, "confirmations"),
        count(row, "expiries"));
  }

  /**
   * Adds this row's parts, times {@code sign} (+1 for the row written, -1 for the row as it was),
   * into {@code sums}.
   */
  void addTo(Map<Key, Long> sums, long sign) {
    add(sums, "releases", status, 1, sign);
    add(sums, "deployed", "", deployedAt == null ? 0 : 1, sign);
    add(sums, "stage_passed", "", manualTestingAt == null ? 0 : 1, sign);
    add(sums, "production_changes", "", deployingAt == null ? 0 : 1, sign);
    add(
        sums,
        "production_failed",
        "",
        deployingAt != null && FAILED_IN_PRODUCTION.contains(status) ? 1 : 0,
        sign);
    add(sums, "break_glass", "requested", breakGlassRequests, sign);
    add(sums, "break_glass", "confirmed", breakGlassConfirmations, sign);
    add(sums, "break_glass", "expired", breakGlassExpiries, sign);
    span(sums, "rmm_release_duration_seconds", createdAt, completedAt, sign);
    span(sums, "rmm_lead_time_seconds", createdAt, deployedAt, sign);
    span(sums, "rmm_approval_wait_seconds", manualTestingAt, decidedAt, sign);
    span(sums, "rmm_time_to_restore_seconds", rollbackStartedAt, restoredAt, sign);
  }

  private void span(Map<Key, Long> sums, String metric, Long from, Long to, long sign) {
    if (from == null || to == null) {
      return;
    }
    long micros = to - from;
    add(sums, metric, "sum_micros", micros, sign);
    add(sums, metric, bucket(micros), 1, sign);
  }

  /** The smallest bucket holding a span: its bound in seconds, or {@code +Inf}. */
  static String bucket(long micros) {
    for (long b : BUCKETS) {
      if (micros <= b * 1_000_000L) {
        return Long.toString(b);
      }
    }
    return "+Inf";
  }

  private void add(Map<Key, Long> sums, String metric, String label, long value, long sign) {
    if (value != 0) {
      sums.merge(new Key(service, metric, label), sign * value, Long::sum);
    }
  }

  /**
   * Microseconds since the epoch, by hand: {@code ChronoUnit.MICROS.between} counts in nanoseconds
   * first, which overflows for instants past 2262 (the read model keeps up to year 9999).
   */
  private static Long micros(Instant t) {
    if (t == null) {
      return null;
    }
    Instant m = Projection.micros(t);
    return m.getEpochSecond() * 1_000_000L + m.getNano() / 1_000;
  }

  /** A break-glass count as {@code coalesce((break_glass ->> f)::bigint, 0)} reads it. */
  private static long count(ReleaseRow row, String field) {
    return row.breakGlass == null ? 0 : row.breakGlass.path(field).asLong(0);
  }
}
