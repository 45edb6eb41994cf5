package dev.rmm.gateway.alerts;

import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.gateway.GatewayConfig;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.releases.ReleaseReader;
import dev.rmm.gateway.releases.ReleaseReader.Unchanged;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Looks at the read model every {@code rmm.alerts.stuck-check-every} for active releases that have
 * not moved for {@code rmm.alerts.stuck-after} ({@code manual-testing-stuck-after} for a release
 * waiting for its testers and approvers), and alerts each stall once: per release and version,
 * remembered in Redis for a week, so gateway instances and restarts do not repeat it and the next
 * stall of the same release (a later version) alerts again.
 */
@ApplicationScoped
public class StuckReleases {

  private static final Logger LOG = Logger.getLogger(StuckReleases.class);
  private static final long REMEMBER_SECONDS = Duration.ofDays(7).toSeconds();

  /** Newly stuck releases alerted one by one per look; the rest share one summary message. */
  static final int ONE_BY_ONE = 5;

  private final ReleaseReader reader;
  private final AlertsChat chat;
  private final RedisDataSource redis;
  private final Duration stuckAfter;
  private final Duration manualTestingStuckAfter;
  private final Duration every;
  private final Language language;
  private ScheduledExecutorService timer;
  private boolean unreadableTold;

  StuckReleases(
      ReleaseReader reader, AlertsChat chat, RedisDataSource redis, GatewayConfig config) {
    this.reader = reader;
    this.chat = chat;
    this.redis = redis;
    this.stuckAfter = config.alerts().stuckAfter();
    this.manualTestingStuckAfter = config.alerts().manualTestingStuckAfter();
    this.every = config.alerts().stuckCheckEvery();
    this.language = Language.parse(config.telegram().defaultLanguage());
  }

  public synchronized void start() {
    if (timer != null) {
      return;
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "rmm-stuck-releases");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        this::check, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    LOG.infof(
        "Releases without progress for %s (%s in manual_testing) are alerted",
        stuckAfter, manualTestingStuckAfter);
  }

  public synchronized void stop() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }

  /** One look at the read model. */
  void check() {
    Instant now = Instant.now();
    try {
      Duration shortest =
          stuckAfter.compareTo(manualTestingStuckAfter) < 0 ? stuckAfter : manualTestingStuckAfter;
      List<Alert> fresh = new ArrayList<>();
      for (Unchanged u : reader.activeUnchangedSince(now.minus(shortest))) {
        Duration limit =
            u.release().status() == ReleaseStatus.MANUAL_TESTING
                ? manualTestingStuckAfter
                : stuckAfter;
        Instant since = u.release().updatedAt().toInstant();
        if (since.isAfter(now.minus(limit)) || !firstStall(u)) {
          continue;
        }
        fresh.add(LogAlerts.stuck(u.release(), u.traceparent(), now, language));
      }
      fresh.stream().limit(ONE_BY_ONE).forEach(chat::report);
      if (fresh.size() > ONE_BY_ONE) {
        chat.report(LogAlerts.moreStuck(fresh.subList(ONE_BY_ONE, fresh.size()), now, language));
      }
      unreadableTold = false;
    } catch (RuntimeException e) {
      if (!unreadableTold) { // once per outage: the health check shows Postgres anyway
        LOG.warnf(
            "Cannot look for stuck releases in the read model (is release-projector running?): %s",
            e.getMessage());
        unreadableTold = true;
      }
    }
  }

  private boolean firstStall(Unchanged u) {
    String key = "rmm:alert:stuck:" + u.release().releaseId() + ":" + u.release().version();
    return redis.execute("SET", key, "1", "NX", "EX", Long.toString(REMEMBER_SECONDS)) != null;
  }
}
