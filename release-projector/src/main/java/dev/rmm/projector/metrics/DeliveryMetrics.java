package dev.rmm.projector.metrics;

import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.readmodel.ReadModel;
import dev.rmm.projector.ProjectorConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The delivery (DORA) metrics of every service, at {@code /q/metrics}: releases by status,
 * production deploys, release duration, lead time from tag to production, approval wait, stage and
 * production (change) failure rates, rollbacks and time to restore.
 *
 * <p>The projection keeps them per service in the read model ({@code delivery_metrics}), in the
 * same transaction as the rows, from values that all come from the events (never the clock), so the
 * same log gives the same numbers, a rebuild from offset 0 included. Nothing is recomputed over all
 * releases: every {@code rmm.projector.metrics-refresh} the few rows per service are read, and a
 * scrape returns the last result, so scrapes cost nothing and never block on the database.
 */
@ApplicationScoped
public class DeliveryMetrics extends Collector {

  private static final Logger LOG = Logger.getLogger(DeliveryMetrics.class);

  /**
   * Histogram buckets, in seconds: a minute to a week; the view {@code release_metric_parts} (V7)
   * names the same. Public for the tests that check the figures; never changed.
   */
  public static final double[] BUCKETS = {
    60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 259200, 604800
  };

  /**
   * The histograms and what each measures; the intervals are defined in the view {@code
   * release_metric_parts} (V7), with these buckets.
   */
  private static final Map<String, String> DURATIONS = new LinkedHashMap<>();

  /** The label of a histogram's sum, in microseconds. */
  private static final String SUM = "sum_micros";

  static {
    DURATIONS.put("rmm_release_duration_seconds", "From creation to the final status.");
    DURATIONS.put("rmm_lead_time_seconds", "Lead time: from the tag to production.");
    DURATIONS.put("rmm_approval_wait_seconds", "From manual testing to the quorum or a rejection.");
    DURATIONS.put("rmm_time_to_restore_seconds", "Time to restore: from rollback start to done.");
  }

  private final Pool pg;
  private final ProjectorConfig config;
  private final PrometheusMeterRegistry registry;
  private volatile List<MetricFamilySamples> last = List.of();
  private ScheduledExecutorService timer;

  DeliveryMetrics(Pool pg, ProjectorConfig config, PrometheusMeterRegistry registry) {
    this.pg = pg;
    this.config = config;
    this.registry = registry;
  }

  void start(@Observes StartupEvent ignored) {
    registry.getPrometheusRegistry().register(this);
    long every = config.projector().metricsRefresh().toMillis();
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "rmm-delivery-metrics");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(this::refreshQuietly, 0, every, TimeUnit.MILLISECONDS);
  }

  void stop(@Observes ShutdownEvent ignored) {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  @Override
  public List<MetricFamilySamples> collect() {
    return last;
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      LOG.warnf(
          "Could not compute the delivery metrics from the read model: %s; /q/metrics keeps the"
              + " previous values until the next try",
          e.getMessage());
    }
  }

  /** Reads every metric from the sums the projection keeps ({@code delivery_metrics}) now. */
  public void refresh() {
    Map<String, ServiceSums> services = new TreeMap<>();
    for (Row r :
        pg.query(
                "SELECT service_name, metric, label, value FROM "
                    + ReadModel.SCHEMA
                    + ".delivery_metrics"
                    + " ORDER BY 1, 2, 3")
            .execute()
            .await()
            .indefinitely()) {
      services
          .computeIfAbsent(r.getString("service_name"), k -> new ServiceSums())
          .put(r.getString("metric"), r.getString("label"), r.getLong("value"));
    }
    List<MetricFamilySamples> out = new ArrayList<>(counts(services));
    for (Map.Entry<String, String> d : DURATIONS.entrySet()) {
      out.add(histogram(services, d.getKey(), d.getValue()));
    }
    last = List.copyOf(out);
  }

  /** One service's sums: metric, then label, then value. */
  private static final class ServiceSums {
    private final Map<String, Map<String, Long>> values = new HashMap<>();

    void put(String metric, String label, long value) {
      values.computeIfAbsent(metric, k -> new TreeMap<>()).put(label, value);
    }

    long get(String metric, String label) {
      return values.getOrDefault(metric, Map.of()).getOrDefault(label, 0L);
    }

    Map<String, Long> labels(String metric) {
      return values.getOrDefault(metric, Map.of());
    }

    /** Whether the service has a release (a service whose releases all left has none). */
    boolean hasReleases() {
      return !labels("releases").isEmpty();
    }
  }

  private static List<MetricFamilySamples> counts(Map<String, ServiceSums> services) {
    List<MetricFamilySamples.Sample> byStatus = new ArrayList<>();
    List<MetricFamilySamples.Sample> deploys = new ArrayList<>();
    List<MetricFamilySamples.Sample> rollbacks = new ArrayList<>();
    List<MetricFamilySamples.Sample> stageFailure = new ArrayList<>();
    List<MetricFamilySamples.Sample> prodFailure = new ArrayList<>();
    List<MetricFamilySamples.Sample> breakGlass = new ArrayList<>();
    services.forEach(
        (service, sums) -> {
          if (!sums.hasReleases()) {
            return;
          }
          List<String> svc = List.of(service);
          sums.labels("releases")
              .forEach(
                  (status, n) ->
                      byStatus.add(
                          sample(
                              "rmm_releases",
                              List.of("service", "status", "outcome"),
                              List.of(service, status, outcome(status)),
                              n)));
          deploys.add(
              sample("rmm_deployments_total", List.of("service"), svc, sums.get("deployed", "")));
          long done = sums.get("releases", ReleaseStatus.ROLLBACK_DONE.wire());
          long failed = sums.get("releases", ReleaseStatus.ROLLBACK_FAILED.wire());
          rollbacks.add(
              sample(
                  "rmm_rollbacks_total",
                  List.of("service", "outcome"),
                  List.of(service, "done"),
                  done));
          rollbacks.add(
              sample(
                  "rmm_rollbacks_total",
                  List.of("service", "outcome"),
                  List.of(service, "failed"),
                  failed));
          long stageFailed =
              sums.get("releases", ReleaseStatus.STAGE_BUILDING_FAILED.wire())
                  + sums.get("releases", ReleaseStatus.STAGE_TEST_ROLLBACK_FAILED.wire());
          long stageEnded = stageFailed + sums.get("stage_passed", "");
          if (stageEnded > 0) {
            stageFailure.add(
                sample(
                    "rmm_stage_failure_ratio",
                    List.of("service"),
                    svc,
                    (double) stageFailed / stageEnded));
          }
          for (String outcome : List.of("requested", "confirmed", "expired")) {
            breakGlass.add(
                sample(
                    "rmm_break_glass_total",
                    List.of("service", "outcome"),
                    List.of(service, outcome),
                    sums.get("break_glass", outcome)));
          }
          long changes = sums.get("production_changes", "");
          if (changes > 0) {
            prodFailure.add(
                sample(
                    "rmm_production_failure_ratio",
                    List.of("service"),
                    svc,
                    (double) sums.get("production_failed", "") / changes));
          }
        });
    return List.of(
        new MetricFamilySamples(
            "rmm_releases",
            Type.GAUGE,
            "Releases by service, current status and its outcome (active, successful, failed,"
                + " cancelled).",
            byStatus),
        new MetricFamilySamples(
            "rmm_deployments", Type.COUNTER, "Releases deployed to production.", deploys),
        new MetricFamilySamples(
            "rmm_rollbacks",
            Type.COUNTER,
            "Production rollbacks by outcome (done or failed).",
            rollbacks),
        new MetricFamilySamples(
            "rmm_stage_failure_ratio",
            Type.GAUGE,
            "Share of releases that failed on stage, of those that finished stage.",
            stageFailure),
        new MetricFamilySamples(
            "rmm_production_failure_ratio",
            Type.GAUGE,
            "Change failure rate: share of production deploys that failed or were rolled back.",
            prodFailure),
        new MetricFamilySamples(
            "rmm_break_glass",
            Type.COUNTER,
            "Break-glass (forced approvals) by outcome: requested by an admin, confirmed by a"
                + " second admin, expired unconfirmed after the policy's window (default 15 minutes).",
            breakGlass));
  }

  private static String outcome(String status) {
    try {
      return ReleaseStatus.fromWire(status).outcome().wire();
    } catch (IllegalArgumentException e) {
      return "unknown"; // a status this version does not know (a newer projector wrote it)
    }
  }

  /**
   * A histogram from a service's parts: {@code <le>} labels count the intervals whose smallest
   * bucket is {@code le} (cumulated here), {@code sum_micros} their sum.
   */
  private static MetricFamilySamples histogram(
      Map<String, ServiceSums> services, String name, String help) {
    List<MetricFamilySamples.Sample> samples = new ArrayList<>();
    services.forEach(
        (service, sums) -> {
          Map<String, Long> parts = sums.labels(name);
          long n =
              parts.entrySet().stream()
                  .filter(e -> !e.getKey().equals(SUM))
                  .mapToLong(Map.Entry::getValue)
                  .sum();
          if (n == 0) {
            return;
          }
          long cumulative = 0;
          for (double bucket : BUCKETS) {
            cumulative += parts.getOrDefault(Long.toString((long) bucket), 0L);
            samples.add(
                sample(
                    name + "_bucket",
                    List.of("service", "le"),
                    List.of(service, Collector.doubleToGoString(bucket)),
                    cumulative));
          }
          samples.add(
              sample(name + "_bucket", List.of("service", "le"), List.of(service, "+Inf"), n));
          samples.add(sample(name + "_count", List.of("service"), List.of(service), n));
          samples.add(
              sample(
                  name + "_sum",
                  List.of("service"),
                  List.of(service),
                  parts.getOrDefault(SUM, 0L) / 1_000_000.0));
        });
    return new MetricFamilySamples(name, Type.HISTOGRAM, help + " Per service.", samples);
  }

  private static MetricFamilySamples.Sample sample(
      String name, List<String> labels, List<String> values, double value) {
    return new MetricFamilySamples.Sample(name, labels, values, value);
  }
}
