package dev.rmm.projector;

import dev.rmm.contracts.kafka.ConsumerLoop;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Whether the live projection keeps the read model up to date: DOWN while its loop is stuck
 * (failing again and again on the same records, see {@link ConsumerLoop.Progress#stuck()}), UP
 * otherwise, including when it is intentionally off. It is a readiness check, not a liveness one: a
 * restart does not help a reader stuck on a row it cannot write or on a database that is gone (the
 * projector already starts again with a fresh consumer every second), so liveness DOWN would only
 * make an orchestrator restart it in a loop. Readiness DOWN makes {@code /q/health} and {@code
 * /q/health/ready} answer 503, which is what the compose file's health check and the local stack
 * watch, while the process keeps retrying and moves on by itself once the cause is fixed.
 */
@Readiness
@ApplicationScoped
public class ProjectorReadiness implements HealthCheck {

  private final LiveProjector live;
  private final ProjectorConfig config;

  ProjectorReadiness(LiveProjector live, ProjectorConfig config) {
    this.live = live;
    this.config = config;
  }

  @Override
  public HealthCheckResponse call() {
    ConsumerLoop.Progress p = live.progress();
    HealthCheckResponseBuilder r =
        HealthCheckResponse.named("live projection")
            .status(!p.stuck())
            .withData("assigned", live.isRunning())
            .withData("auto_start", config.projector().autoStart())
            .withData("events_applied", live.applied())
            .withData("consecutive_failures", p.consecutiveFailures());
    if (p.lastBatchAt() != null) {
      r.withData("last_batch_at", p.lastBatchAt().toString());
    }
    if (p.stuck()) {
      r.withData("failing_since", String.valueOf(p.failingSince()))
          .withData("last_error", String.valueOf(p.lastError()));
    }
    return r.build();
  }
}
