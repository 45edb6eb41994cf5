package dev.rmm.projector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings whose nonsense values the type alone does not catch, refused at start-up with the
 * setting named (release-api's ConfigChecks does the same for its own). Without this a zero or
 * negative {@code rmm.projector.rebuild-live-wait} made every rebuild give up with 503 as soon as
 * the live projection was a single event behind, with nothing saying why. (A value that is not a
 * duration at all is refused by the configuration itself, which names the setting too.)
 */
public final class ConfigChecks {

  private ConfigChecks() {}

  /** What is wrong with {@code config}, one sentence per setting; empty when nothing is. */
  public static List<String> problems(ProjectorConfig config) {
    List<String> out = new ArrayList<>();
    Duration liveWait = config.projector().rebuildLiveWait();
    if (liveWait.isZero() || liveWait.isNegative()) {
      out.add(
          "rmm.projector.rebuild-live-wait (RMM_PROJECTOR_REBUILD_LIVE_WAIT) must be a positive"
              + " duration such as 90s, not "
              + liveWait);
    }
    return out;
  }

  /**
   * @throws IllegalStateException naming every setting that is wrong, so that release-projector
   *     does not start with it
   */
  public static void require(ProjectorConfig config) {
    List<String> problems = problems(config);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "release-projector cannot start with this configuration: " + String.join("; ", problems));
    }
  }
}
