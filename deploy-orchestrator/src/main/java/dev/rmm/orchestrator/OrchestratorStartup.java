package dev.rmm.orchestrator;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Says at start-up what the orchestrator can reach. GitHub dispatch and SSH runbooks are issue 4;
 * until then the orchestrator only runs and reports health.
 */
public class OrchestratorStartup {

  private static final Logger LOG = Logger.getLogger(OrchestratorStartup.class);

  void onStart(
      @Observes StartupEvent ev,
      @ConfigProperty(name = "rmm.github.token") Optional<String> token) {
    if (token.filter(t -> !t.isBlank()).isEmpty()) {
      LOG.warn("GitHub is disabled: GITHUB_TOKEN is not set, no workflow will be dispatched.");
    }
    LOG.info("deploy-orchestrator is running; dispatch and rollback runbooks arrive with issue 4.");
  }
}
