package dev.rmm.projector;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the projection loop runs (or is intentionally off); reports events applied. */
@Liveness
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
    return HealthCheckResponse.named("live projection")
        .up()
        .withData("assigned", live.isRunning())
        .withData("auto_start", config.projector().autoStart())
        .withData("events_applied", live.applied())
        .build();
  }
}
