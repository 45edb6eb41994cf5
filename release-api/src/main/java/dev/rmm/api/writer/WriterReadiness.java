package dev.rmm.api.writer;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the group gave this instance its partitions and each one's state is loaded. */
@Readiness
@ApplicationScoped
public class WriterReadiness implements HealthCheck {

  private final ReleaseWriter writer;

  WriterReadiness(ReleaseWriter writer) {
    this.writer = writer;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("release-log writer")
        .status(writer.isReady())
        .withData("partitions", writer.ownedPartitions().toString())
        .build();
  }
}
