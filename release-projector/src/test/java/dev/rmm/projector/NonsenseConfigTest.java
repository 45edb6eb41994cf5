package dev.rmm.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Nonsense values of release-projector's settings stop it at start-up with a message that names the
 * setting, read through the same {@code @ConfigMapping} as the application reads them (as
 * release-api's NonsenseConfigTest).
 */
class NonsenseConfigTest {

  private static ProjectorConfig config(Map<String, String> values) {
    SmallRyeConfig c =
        new SmallRyeConfigBuilder()
            .withMapping(ProjectorConfig.class)
            // durations as Quarkus reads them ("2s" as well as ISO-8601)
            .withConverter(Duration.class, 200, new DurationConverter())
            .withSources(new PropertiesConfigSource(values, "test", 500))
            .build();
    return c.getConfigMapping(ProjectorConfig.class);
  }

  @Test
  void givenAZeroOrNegativeRebuildLiveWait_whenStarting_thenRefusedNamingTheSetting() {
    for (String value : new String[] {"0s", "-90s", "PT0S"}) {
      ProjectorConfig config = config(Map.of("rmm.projector.rebuild-live-wait", value));

      assertThatThrownBy(() -> ConfigChecks.require(config))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("release-projector cannot start with this configuration")
          .hasMessageContaining(
              "rmm.projector.rebuild-live-wait (RMM_PROJECTOR_REBUILD_LIVE_WAIT) must be a"
                  + " positive duration");
    }
  }

  @Test
  void givenAZeroRebuildLiveWait_whenTheLiveProjectorIsBuilt_thenItRefusesBeforeOpeningAnything() {
    ProjectorConfig config = config(Map.of("rmm.projector.rebuild-live-wait", "0s"));

    // the first thing its constructor does (it is built at start-up), so nothing else is touched
    assertThatThrownBy(() -> new LiveProjector(config, null, "127.0.0.1:1", null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rmm.projector.rebuild-live-wait");
  }

  @Test
  void givenARebuildLiveWaitThatIsNoDuration_whenStarting_thenTheConfigurationNamesTheSetting() {
    assertThatThrownBy(() -> config(Map.of("rmm.projector.rebuild-live-wait", "long")))
        .hasMessageContaining("rmm.projector.rebuild-live-wait")
        .hasMessageContaining("long");
  }

  @Test
  void givenTheDefaultsOrTheTestsShortWait_whenStarting_thenNothingIsWrong() {
    assertThat(ConfigChecks.problems(config(Map.of()))).isEmpty();
    assertThat(ConfigChecks.problems(config(Map.of("rmm.projector.rebuild-live-wait", "2s"))))
        .isEmpty();
  }
}
