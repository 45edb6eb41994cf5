package dev.rmm.orchestrator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings whose nonsense values the type alone does not catch, refused at start-up with the
 * setting named (release-api's ConfigChecks does the same for its own). Without this a negative
 * {@code rmm.github.retry-for} quietly behaved like 0 (a GitHub outage past {@code max-attempts}
 * failed the dispatch for a person to check), and a zero or negative {@code
 * rmm.deploy.shutdown-grace} made every graceful stop leave its running runbooks to the next
 * owner's wait instead of recording where they stopped. (A value that is not a duration at all is
 * refused by the configuration itself, which names the setting too.)
 */
public final class ConfigChecks {

  private ConfigChecks() {}

  /** What is wrong with {@code config}, one sentence per setting; empty when nothing is. */
  public static List<String> problems(OrchestratorConfig config) {
    List<String> out = new ArrayList<>();
    Duration retryFor = config.github().retryFor();
    if (retryFor.isNegative()) {
      out.add(
          "rmm.github.retry-for (RMM_GITHUB_RETRY_FOR) must be 0 (max-attempts alone bounds the"
              + " retries) or a positive duration such as 10m, not "
              + retryFor);
    }
    Duration grace = config.deploy().shutdownGrace();
    if (grace.isZero() || grace.isNegative()) {
      out.add(
          "rmm.deploy.shutdown-grace (RMM_DEPLOY_SHUTDOWN_GRACE) must be a positive duration such"
              + " as 5s, not "
              + grace);
    }
    return out;
  }

  /**
   * @throws IllegalStateException naming every setting that is wrong, so that deploy-orchestrator
   *     does not start with it
   */
  public static void require(OrchestratorConfig config) {
    List<String> problems = problems(config);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "deploy-orchestrator cannot start with this configuration: "
              + String.join("; ", problems));
    }
  }
}
