package dev.rmm.projector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The delivery metrics the live projection keeps batch by batch ({@link MetricParts}: each row's
 * parts before and after the batch, only for rows whose inputs it changed) equal the same figures
 * computed by the SQL definition ({@code release_metric_parts}, V7/V14) over every row, on releases
 * that walk every path through the statuses (every prefix of every path too, so releases left under
 * way count), with break-glass requests, confirmations and expiries, metric-neutral events between
 * (approvals, dispatch) and times from seconds to weeks with nanoseconds. The releases' events are
 * interleaved, so a batch holds a few events of many releases, and the projector is restarted half
 * way, so the second half folds into rows read back from Postgres, not kept in memory.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class IncrementalMetricsTest {

  private static final Logger LOG = Logger.getLogger(IncrementalMetricsTest.class);
  private static final String SVC = "incremental-metrics-";
  private static final Instant T0 = Instant.parse("2026-10-01T08:00:00Z");

  @Inject LiveProjector live;
  @Inject Pool pg;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Test
  void
      givenReleasesOnEveryStatusPath_whenProjectedInBatches_thenTheKeptMetricsEqualTheSqlOverAllRows()
          throws Exception {
    EventLog.createTopic(bootstrap, 3);
    ReadModelChecks checks = new ReadModelChecks(pg, bootstrap);
    long seed = new Random().nextLong();
    LOG.infof("Release times from seed %d", seed);
    Random random = new Random(seed);
    List<List<ReleaseStatus>> paths = new ArrayList<>();
    walk(new ArrayList<>(List.of(ReleaseStatus.INITIATED)), paths);
    List<Script> scripts = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      // two releases per path, in a service of their own: one quick, one slow
      scripts.add(script(SVC + i, "v" + i + ".1", paths.get(i), random, false));
      scripts.add(script(SVC + i, "v" + i + ".2", paths.get(i), random, true));
    }
    live.start();
    try (EventLog log = new EventLog(bootstrap)) {
      appendInterleaved(log, scripts, 0, 0.5);
      log.flush();
      checks.awaitCaughtUp(Duration.ofSeconds(60));
      assertThat(kept(checks)).as("seed %d, half way", seed).isEqualTo(summedBySql());

      // the kept rows are forgotten: the second half folds into rows read from Postgres
      live.stop();
      live.start();
      appendInterleaved(log, scripts, 0.5, 1.0);
      log.flush();
      checks.awaitCaughtUp(Duration.ofSeconds(60));
    }
    Map<String, Long> kept = kept(checks);
    assertThat(kept).as("seed %d", seed).isEqualTo(summedBySql());
    Set<String> statuses =
        kept.keySet().stream()
            .filter(k -> k.contains("|releases|"))
            .map(k -> k.substring(k.lastIndexOf('|') + 1))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(statuses)
        .as("every status is some release's final one")
        .containsExactlyInAnyOrderElementsOf(
            java.util.Arrays.stream(ReleaseStatus.values()).map(ReleaseStatus::wire).toList());
    assertThat(kept)
        .containsKeys(
            SVC + "0|break_glass|requested",
            SVC + "0|break_glass|confirmed",
            SVC + "1|break_glass|expired");
    assertThat(kept.keySet()).anyMatch(k -> k.endsWith("|+Inf")).anyMatch(k -> k.endsWith("|60"));
  }

  /** Every path from {@code path}'s last status, each prefix included, into {@code out}. */
  private static void walk(List<ReleaseStatus> path, List<List<ReleaseStatus>> out) {
    out.add(List.copyOf(path));
    for (ReleaseStatus next : path.get(path.size() - 1).next()) {
      path.add(next);
      walk(path, out);
      path.remove(path.size() - 1);
    }
  }

  /** One release's events, each with its time. */
  private record Script(String releaseId, List<ReleaseEvent> events, List<Instant> times) {}

  private static Script script(
      String service, String tag, List<ReleaseStatus> path, Random random, boolean slow) {
    var spec = EventLog.spec(service, tag);
    List<ReleaseEvent> events = new ArrayList<>();
    events.add(new ReleaseEvent.ReleaseCreated(spec, EventLog.POLICY));
    if (service.equals(SVC + "0")) {
      // a request confirmed by a second admin
      events.add(breakGlass(null));
      events.add(
          new ReleaseEvent.BreakGlassConfirmed(
              1002, "Bob", 1003, "Carol", "hotfix", tag, null, null));
    } else if (service.equals(SVC + "1")) {
      // a request that nobody confirmed before it ran out
      events.add(breakGlass(T0.minusSeconds(1)));
    }
    for (int i = 1; i < path.size(); i++) {
      ReleaseStatus from = path.get(i - 1);
      ReleaseStatus to = path.get(i);
      switch (to) {
        case MANUAL_TEST_PASSED -> {
          events.add(new ReleaseEvent.ApprovalGranted(1001, "Alice", 1, 2));
          events.add(new ReleaseEvent.ApprovalGranted(1002, "Bob", 2, 2));
          events.add(new ReleaseEvent.ApprovalQuorumReached(List.of(1001L, 1002L)));
        }
        case MANUAL_TEST_FAILED -> events.add(new ReleaseEvent.ReleaseRejected(1002, "Bob", "no"));
        case CANCELLED ->
            events.add(
                from.isSupersedable() && random.nextBoolean()
                    ? new ReleaseEvent.ReleaseSuperseded(from, "newer", "v9")
                    : new ReleaseEvent.ReleaseCancelled(from, "not needed"));
        case PRODUCTION_ROLLBACK ->
            events.add(
                from == ReleaseStatus.DEPLOYED
                    ? new ReleaseEvent.RollbackRequested(1002, "Bob", "v0")
                    : new ReleaseEvent.StatusChanged(from, to, null));
        case DEPLOYING -> {
          events.add(new ReleaseEvent.StatusChanged(from, to, null));
          // dispatch events move no metric
          events.add(new ReleaseEvent.DispatchStarted("d-" + tag, "acme/x", "deploy.yml", tag));
          events.add(new ReleaseEvent.WorkflowDispatched("d-" + tag, 204, 1));
        }
        default -> events.add(new ReleaseEvent.StatusChanged(from, to, null));
      }
    }
    List<Instant> times = new ArrayList<>();
    Instant at = T0.plusSeconds(random.nextInt(86_400));
    for (int i = 0; i < events.size(); i++) {
      times.add(at);
      // quick: under 50 s per step (a one-step span is in the 60 s bucket); slow: 1 to 8 days per
      // step (a path to production takes longer than the largest bucket, a week); nanoseconds
      long seconds = slow ? 3_600L * (24 + random.nextInt(180)) : random.nextInt(50);
      at = at.plusSeconds(seconds).plusNanos(random.nextInt(1_000_000_000));
    }
    return new Script(spec.releaseId(), events, times);
  }

  private static ReleaseEvent breakGlass(Instant expiresAt) {
    return new ReleaseEvent.BreakGlassRequested(1002, "Bob", "hotfix", "v0", null, expiresAt, null);
  }

  /**
   * Appends the part {@code from}-{@code to} (fractions) of every script, one event of each release
   * in turn, so that a batch holds a few events of many releases.
   */
  private static void appendInterleaved(
      EventLog log, List<Script> scripts, double from, double to) {
    for (int step = 0; ; step++) {
      boolean any = false;
      for (Script s : scripts) {
        int first = (int) Math.round(s.events().size() * from);
        int last = (int) Math.round(s.events().size() * to);
        int i = first + step;
        if (i < last) {
          log.appendAt(s.releaseId(), s.events().get(i), s.times().get(i));
          any = true;
        }
      }
      if (!any) {
        return;
      }
    }
  }

  /** This test's services' metrics as the projection keeps them. */
  private static Map<String, Long> kept(ReadModelChecks checks) {
    Map<String, Long> out = new TreeMap<>(checks.deliveryMetrics());
    out.keySet().removeIf(k -> !k.startsWith(SVC));
    return out;
  }

  /** The same figures summed over every row by the SQL definition, as a rebuild sums them. */
  private Map<String, Long> summedBySql() {
    Map<String, Long> out = new TreeMap<>();
    pg.preparedQuery(
            "SELECT service_name, metric, label, sum(value)::bigint FROM"
                + " read_model.release_metric_parts WHERE service_name LIKE $1 GROUP BY 1, 2, 3"
                + " HAVING sum(value) <> 0")
        .execute(io.vertx.mutiny.sqlclient.Tuple.of(SVC + "%"))
        .await()
        .indefinitely()
        .forEach(
            r ->
                out.put(
                    r.getString(0) + "|" + r.getString(1) + "|" + r.getString(2), r.getLong(3)));
    return out;
  }
}
