package dev.rmm.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.PathConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Nonsense values of deploy-orchestrator's settings stop it at start-up with a message that names
 * the setting, read through the same {@code @ConfigMapping} as the application reads them (as
 * release-api's NonsenseConfigTest).
 */
class NonsenseConfigTest {

  private static OrchestratorConfig config(Map<String, String> values) {
    SmallRyeConfig c =
        new SmallRyeConfigBuilder()
            .withMapping(OrchestratorConfig.class)
            // durations and paths as Quarkus reads them ("2s" as well as ISO-8601)
            .withConverter(Duration.class, 200, new DurationConverter())
            .withConverter(Path.class, 200, new PathConverter())
            .withSources(new PropertiesConfigSource(values, "test", 500))
            .build();
    return c.getConfigMapping(OrchestratorConfig.class);
  }

  @Test
  void givenANegativeRetryFor_whenStarting_thenRefusedNamingTheSetting() {
    for (String value : new String[] {"-1s", "-10m", "PT-5S"}) {
      OrchestratorConfig config = config(Map.of("rmm.github.retry-for", value));

      assertThatThrownBy(() -> ConfigChecks.require(config))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("deploy-orchestrator cannot start with this configuration")
          .hasMessageContaining("rmm.github.retry-for (RMM_GITHUB_RETRY_FOR) must be 0");
    }
  }

  @Test
  void givenANegativeRetryFor_whenTheOrchestratorIsBuilt_thenItRefusesBeforeOpeningAnything() {
    OrchestratorConfig config = config(Map.of("rmm.github.retry-for", "-1s"));

    // the first thing its constructor does, so nothing else it is given is touched
    assertThatThrownBy(() -> new Orchestrator("127.0.0.1:1", config, null, null, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rmm.github.retry-for");
  }

  @Test
  void givenAZeroRetryFor_whenStarting_thenMaxAttemptsAloneBoundsTheRetries() {
    assertThat(ConfigChecks.problems(config(Map.of("rmm.github.retry-for", "0s")))).isEmpty();
  }

  @Test
  void givenAZeroOrNegativeShutdownGrace_whenStarting_thenRefusedNamingTheSetting() {
    for (String value : new String[] {"0s", "-5s", "PT0S"}) {
      OrchestratorConfig config = config(Map.of("rmm.deploy.shutdown-grace", value));

      assertThatThrownBy(() -> ConfigChecks.require(config))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(
              "rmm.deploy.shutdown-grace (RMM_DEPLOY_SHUTDOWN_GRACE) must be a positive duration");
    }
  }

  @Test
  void givenBothWrong_whenStarting_thenBothAreNamedAtOnce() {
    OrchestratorConfig config =
        config(Map.of("rmm.github.retry-for", "-1s", "rmm.deploy.shutdown-grace", "0s"));

    assertThat(ConfigChecks.problems(config))
        .hasSize(2)
        .anyMatch(p -> p.startsWith("rmm.github.retry-for"))
        .anyMatch(p -> p.startsWith("rmm.deploy.shutdown-grace"));
  }

  @Test
  void givenAShutdownGraceThatIsNoDuration_whenStarting_thenTheConfigurationNamesTheSetting() {
    assertThatThrownBy(() -> config(Map.of("rmm.deploy.shutdown-grace", "soon")))
        .hasMessageContaining("rmm.deploy.shutdown-grace")
        .hasMessageContaining("soon");
  }

  @Test
  void givenTheDefaults_whenStarting_thenNothingIsWrong() {
    assertThat(ConfigChecks.problems(config(Map.of()))).isEmpty();
  }
}
