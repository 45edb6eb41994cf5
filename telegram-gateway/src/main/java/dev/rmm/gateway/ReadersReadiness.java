package dev.rmm.gateway;

import dev.rmm.contracts.kafka.ConsumerLoop;
import dev.rmm.gateway.alerts.AlertFeed;
import dev.rmm.gateway.live.TeamCards;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Whether the gateway's two log readers move: the team chat's live cards ({@link TeamCards}) and
 * the alerts chat's feed ({@link AlertFeed}). DOWN while either is stuck (failing again and again,
 * e.g. on a read model that is gone: see {@link ConsumerLoop.Progress#stuck()}), UP otherwise,
 * including when Telegram is off and they do not run. A readiness check, as release-projector's:
 * the loops already start again by themselves, a restart of the process would not help, and
 * readiness DOWN makes {@code /q/health} answer 503, which the local stack and the compose file's
 * health checks watch.
 */
@Readiness
@ApplicationScoped
public class ReadersReadiness implements HealthCheck {

  private final TeamCards teamCards;
  private final AlertFeed alertFeed;

  ReadersReadiness(TeamCards teamCards, AlertFeed alertFeed) {
    this.teamCards = teamCards;
    this.alertFeed = alertFeed;
  }

  @Override
  public HealthCheckResponse call() {
    ConsumerLoop.Progress cards = teamCards.progress();
    ConsumerLoop.Progress alerts = alertFeed.progress();
    HealthCheckResponseBuilder r =
        HealthCheckResponse.named("telegram log readers")
            .status(!cards.stuck() && !alerts.stuck())
            .withData("team_cards_running", teamCards.isRunning())
            .withData("team_cards_waiting_for_read_model", teamCards.waitingCards())
            .withData("alert_feed_running", alertFeed.isRunning());
    describe(r, "team_cards", cards);
    describe(r, "alert_feed", alerts);
    return r.build();
  }

  private static void describe(
      HealthCheckResponseBuilder r, String reader, ConsumerLoop.Progress p) {
    r.withData(reader + "_consecutive_failures", p.consecutiveFailures());
    if (p.lastBatchAt() != null) {
      r.withData(reader + "_last_batch_at", p.lastBatchAt().toString());
    }
    if (p.stuck()) {
      r.withData(reader + "_stuck", true)
          .withData(reader + "_failing_since", String.valueOf(p.failingSince()))
          .withData(reader + "_last_error", String.valueOf(p.lastError()));
    }
  }
}
