package dev.rmm.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.api.ConfigChecks;
import dev.rmm.api.RmmApiConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Nonsense values of release-api's settings stop it at start-up with a message that names the
 * setting, read through the same {@code @ConfigMapping} as the application reads them.
 */
class NonsenseConfigTest {

  private static RmmApiConfig config(Map<String, String> values) {
    SmallRyeConfig c =
        new SmallRyeConfigBuilder()
            .withMapping(RmmApiConfig.class)
            // durations as Quarkus reads them ("2s" as well as ISO-8601)
            .withConverter(Duration.class, 200, new DurationConverter())
            .withSources(new PropertiesConfigSource(values, "test", 500))
            .build();
    return c.getConfigMapping(RmmApiConfig.class);
  }

  @Test
  void givenAZeroOrNegativeReloadInterval_whenStarting_thenRefusedNamingTheSetting() {
    for (String value : new String[] {"0s", "-5s", "PT0S"}) {
      RmmApiConfig config = config(Map.of("rmm.policy.reload-interval", value));

      assertThatThrownBy(() -> ConfigChecks.require(config))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("rmm.policy.reload-interval (RMM_POLICY_RELOAD_INTERVAL) must be a")
          .hasMessageContaining("positive duration");
    }
  }

  @Test
  void givenAReloadIntervalThatIsNoDuration_whenStarting_thenTheConfigurationNamesTheSetting() {
    assertThatThrownBy(() -> config(Map.of("rmm.policy.reload-interval", "abc")))
        .hasMessageContaining("rmm.policy.reload-interval")
        .hasMessageContaining("abc");
  }

  @Test
  void givenABlankPolicyTopic_whenStarting_thenRefusedNamingTheSetting() {
    RmmApiConfig config = config(Map.of("rmm.topics.policies", " "));

    assertThatThrownBy(() -> ConfigChecks.require(config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rmm.topics.policies (RMM_TOPICS_POLICIES) must name the policy");
  }

  @Test
  void givenAnEmptyPolicyTopic_whenStarting_thenTheConfigurationNamesTheSetting() {
    assertThatThrownBy(() -> config(Map.of("rmm.topics.policies", "")))
        .hasMessageContaining("rmm.topics.policies");
  }

  @Test
  void givenABreakGlassWindowOutsideOneMinuteToADay_whenStarting_thenRefusedNamingTheSetting() {
    for (String value : new String[] {"0", "-1", "1441"}) {
      RmmApiConfig config = config(Map.of("rmm.policy.default-break-glass-window-minutes", value));

      assertThatThrownBy(() -> ConfigChecks.require(config))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(
              "rmm.policy.default-break-glass-window-minutes"
                  + " (RMM_POLICY_DEFAULT_BREAK_GLASS_WINDOW_MINUTES) must be a whole number of"
                  + " minutes from 1 to 1440, not "
                  + value);
    }
  }

  @Test
  void givenABreakGlassWindowAtTheBounds_whenStarting_thenNothingIsWrong() {
    for (String value : new String[] {"1", "1440"}) {
      assertThat(
              ConfigChecks.problems(
                  config(Map.of("rmm.policy.default-break-glass-window-minutes", value))))
          .isEmpty();
    }
  }

  @Test
  void givenTheDefaults_whenStarting_thenNothingIsWrong() {
    assertThat(ConfigChecks.problems(config(Map.of()))).isEmpty();
  }
}
