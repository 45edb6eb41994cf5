package dev.rmm.orchestrator.runbook;

import dev.rmm.orchestrator.DeployFile;

/** Runbook plans from a deploy file, for tests that make an orchestrator outside CDI. */
public final class TestPlans {
  private TestPlans() {}

  public static RunbookPlans of(DeployFile file) {
    return new RunbookPlans(file);
  }
}
