package dev.rmm.orchestrator.dispatch;

import dev.rmm.orchestrator.DeployFile;
import dev.rmm.orchestrator.OrchestratorConfig;

/** Dispatch targets from a deploy file, for tests that make an orchestrator outside CDI. */
public final class TestTargets {
  private TestTargets() {}

  public static ServiceTargets of(OrchestratorConfig config, DeployFile file) {
    return new ServiceTargets(config, file);
  }
}
