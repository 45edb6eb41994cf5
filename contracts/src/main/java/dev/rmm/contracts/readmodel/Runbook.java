package dev.rmm.contracts.readmodel;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The release's last runbook run (the row's {@code runbook} column).
 *
 * @param ok true or false once finished, null while running
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Runbook(
    String runId,
    String host,
    String targetTag,
    List<Step> steps,
    Boolean ok,
    String failedStep,
    String detail) {

  public Runbook {
    steps = steps == null ? List.of() : List.copyOf(steps);
  }

  /** One step of the run as it finished. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Step(String step, int exitCode, long durationMs, boolean ok) {}
}
