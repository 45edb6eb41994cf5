package dev.rmm.api.writer;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * The time of the writer's decisions: what the events it appends carry as their {@code occurredAt},
 * and the "now" the decider judges time limits by (an approval's expiry, a break-glass that must be
 * confirmed within the policy's window). A bean rather than {@code Instant.now()} so that a test
 * can move it forward past such a limit instead of waiting it out (QuarkusMock); the decider itself
 * stays free of any clock.
 */
@ApplicationScoped
public class DecisionClock {

  /** The current time. */
  public Instant now() {
    return Instant.now();
  }
}
