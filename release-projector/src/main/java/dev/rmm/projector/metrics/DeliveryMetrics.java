package dev.rmm.projector.metrics;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The delivery (DORA) metrics of every service, at {@code /q/metrics}: releases by status,
 * production deploys, release duration, lead time from tag to production, approval wait, stage and
 * production (change) failure rates, rollbacks and time to restore.
 *
 * <p>They are computed from the read model, whose every value comes from the events (never the
 * clock), so the same log gives the same numbers, a rebuild from offset 0 included. The aggregation
 * runs in Postgres every {@code rmm.projector.metrics-refresh} and a scrape reads the last result,
 * so scrapes cost nothing and never block on the database.
 */
@ApplicationScoped
public class DeliveryMetrics extends Collector {

  private static final Logger LOG = Logger.getLogger(DeliveryMetrics.class);

  /** Histogram buckets, in seconds: a minute to a week. */
  static final double[] BUCKETS = {
    60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 259200, 604800
  };

  /** The histograms and the interval each measures, from the {@code releases} columns. */
  private static final Map<String, String[]> DURATIONS = new LinkedHashMap<>();

  static {
    DURATIONS.put(
        "rmm_release_duration_seconds",
        new String[] {"created_at", "completed_at", "From creation to the final status."});
    DURATIONS.put(
        "rmm_lead_time_seconds",
        new String[] {"created_at", "deployed_at", "Lead time: from the tag to production."});
    DURATIONS.put(
        "rmm_approval_wait_seconds",
        new String[] {
          "manual_testing_at", "decided_at", "From manual testing to the quorum or a rejection."
        });
    DURATIONS.put(
        "rmm_time_to_restore_seconds",
        new String[] {
          "rollback_started_at", "restored_at", "Time to restore: from rollback start to done."
        });
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

  /** Recomputes every metric from the read model now. */
  public void refresh() {
    List<MetricFamilySamples> out = new ArrayList<>();
    out.addAll(counts());
    for (Map.Entry<String, String[]> d : DURATIONS.entrySet()) {
      out.add(histogram(d.getKey(), d.getValue()[0], d.getValue()[1], d.getValue()[2]));
    }
    last = List.copyOf(out);
  }

  private List<MetricFamilySamples> counts() {
    List<MetricFamilySamples.Sample> byStatus = new ArrayList<>();
    for (Row r :
        pg.query(
                "SELECT service_name, status, outcome, count(*) AS n FROM read_model.releases"
                    + " GROUP BY 1, 2, 3 ORDER BY 1, 2")
            .execute()
            .await()
            .indefinitely()) {
      byStatus.add(
          sample(
              "rmm_releases",
              List.of("service", "status", "outcome"),
              List.of(r.getString("service_name"), r.getString("status"), r.getString("outcome")),
              r.getLong("n")));
    }
    List<MetricFamilySamples.Sample> deploys = new ArrayList<>();
    List<MetricFamilySamples.Sample> rollbacks = new ArrayList<>();
    List<MetricFamilySamples.Sample> stageFailure = new ArrayList<>();
    List<MetricFamilySamples.Sample> prodFailure = new ArrayList<>();
    for (Row r :
        pg.query(
                "SELECT service_name,"
                    + " count(*) FILTER (WHERE deployed_at IS NOT NULL) AS deploys,"
                    + " count(*) FILTER (WHERE status = 'rollback_done') AS rollbacks_done,"
                    + " count(*) FILTER (WHERE status = 'rollback_failed') AS rollbacks_failed,"
                    + " count(*) FILTER (WHERE status IN ('stage_building_failed',"
                    + " 'stage_test_rollback_failed')) AS stage_failed,"
                    + " count(*) FILTER (WHERE manual_testing_at IS NOT NULL) AS stage_passed,"
                    + " count(*) FILTER (WHERE deploying_at IS NOT NULL) AS prod_changes,"
                    + " count(*) FILTER (WHERE deploying_at IS NOT NULL AND status IN"
                    + " ('production_failed', 'production_rollback', 'rollback_done',"
                    + " 'rollback_failed')) AS prod_failed"
                    + " FROM read_model.releases GROUP BY 1 ORDER BY 1")
            .execute()
            .await()
            .indefinitely()) {
      String service = r.getString("service_name");
      List<String> svc = List.of(service);
      deploys.add(sample("rmm_deployments_total", List.of("service"), svc, r.getLong("deploys")));
      rollbacks.add(
          sample(
              "rmm_rollbacks_total",
              List.of("service", "outcome"),
              List.of(service, "done"),
              r.getLong("rollbacks_done")));
      rollbacks.add(
          sample(
              "rmm_rollbacks_total",
              List.of("service", "outcome"),
              List.of(service, "failed"),
              r.getLong("rollbacks_failed")));
      long stageFailed = r.getLong("stage_failed");
      long stageEnded = stageFailed + r.getLong("stage_passed");
      if (stageEnded > 0) {
        stageFailure.add(
            sample(
                "rmm_stage_failure_ratio",
                List.of("service"),
                svc,
                (double) stageFailed / stageEnded));
      }
      long changes = r.getLong("prod_changes");
      if (changes > 0) {
        prodFailure.add(
            sample(
                "rmm_production_failure_ratio",
                List.of("service"),
                svc,
                (double) r.getLong("prod_failed") / changes));
      }
    }
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
            prodFailure));
  }

  private MetricFamilySamples histogram(String name, String from, String to, String help) {
    StringBuilder sql =
        new StringBuilder("SELECT service_name, count(*) AS n, coalesce(sum(s), 0) AS total");
    for (int i = 0; i < BUCKETS.length; i++) {
      sql.append(", count(*) FILTER (WHERE s <= ").append(BUCKETS[i]).append(") AS b").append(i);
    }
    sql.append(" FROM (SELECT service_name, extract(epoch FROM ")
        .append(to)
        .append(" - ")
        .append(from)
        .append(")::float8 AS s FROM read_model.releases WHERE ")
        .append(to)
        .append(" IS NOT NULL AND ")
        .append(from)
        .append(" IS NOT NULL) d GROUP BY 1 ORDER BY 1");
    List<MetricFamilySamples.Sample> samples = new ArrayList<>();
    for (Row r : pg.query(sql.toString()).execute().await().indefinitely()) {
      String service = r.getString("service_name");
      for (int i = 0; i < BUCKETS.length; i++) {
        samples.add(
            sample(
                name + "_bucket",
                List.of("service", "le"),
                List.of(service, Collector.doubleToGoString(BUCKETS[i])),
                r.getLong("b" + i)));
      }
      long n = r.getLong("n");
      samples.add(sample(name + "_bucket", List.of("service", "le"), List.of(service, "+Inf"), n));
      samples.add(sample(name + "_count", List.of("service"), List.of(service), n));
      samples.add(
          sample(name + "_sum", List.of("service"), List.of(service), r.getDouble("total")));
    }
    return new MetricFamilySamples(name, Type.HISTOGRAM, help + " Per service.", samples);
  }

  private static MetricFamilySamples.Sample sample(
      String name, List<String> labels, List<String> values, double value) {
    return new MetricFamilySamples.Sample(name, labels, values, value);
  }
}
