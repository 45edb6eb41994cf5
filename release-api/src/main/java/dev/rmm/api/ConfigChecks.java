package dev.rmm.api;

import dev.rmm.contracts.ApprovalPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings whose nonsense values the type alone does not catch. Without these checks a zero or
 * negative reload interval failed deep inside the writer's start-up with the executor's "delay <=
 * 0" and no setting named. release-api refuses to start instead, naming the setting and the value.
 * (A value that is not a duration at all, such as {@code abc}, is refused by the configuration
 * itself, which names the setting too.)
 */
public final class ConfigChecks {

  private ConfigChecks() {}

  /** What is wrong with {@code config}, one sentence per setting; empty when nothing is. */
  public static List<String> problems(RmmApiConfig config) {
    List<String> out = new ArrayList<>();
    var interval = config.policy().reloadInterval();
    if (interval.isZero() || interval.isNegative()) {
      out.add(
          "rmm.policy.reload-interval (RMM_POLICY_RELOAD_INTERVAL) must be a positive duration"
              + " such as 2s, not "
              + interval);
    }
    config
        .policy()
        .defaultBreakGlassWindowMinutes()
        .filter(m -> !ApprovalPolicy.isBreakGlassWindow(m))
        .ifPresent(
            m ->
                out.add(
                    "rmm.policy.default-break-glass-window-minutes"
                        + " (RMM_POLICY_DEFAULT_BREAK_GLASS_WINDOW_MINUTES) must be a whole number"
                        + " of minutes from "
                        + ApprovalPolicy.MIN_BREAK_GLASS_WINDOW_MINUTES
                        + " to "
                        + ApprovalPolicy.MAX_BREAK_GLASS_WINDOW_MINUTES
                        + ", not "
                        + m));
    if (config.topics().policies().isBlank()) {
      out.add(
          "rmm.topics.policies (RMM_TOPICS_POLICIES) must name the policy topic, such as"
              + " rmm.release-policies");
    }
    return out;
  }

  /**
   * @throws IllegalStateException naming every setting that is wrong, so that release-api does not
   *     start with it
   */
  public static void require(RmmApiConfig config) {
    List<String> problems = problems(config);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "release-api cannot start with this configuration: " + String.join("; ", problems));
    }
  }
}
