package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.FreezeWindow;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import dev.rmm.contracts.kafka.PolicyFollower;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.FakeGitHub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A freeze window (issue 15 point 5) through the packaged services: the policy file gets a freeze
 * of one service (release-api records it on the policy topic), an approved release of that service
 * is held (the log says until when, the team chat's live card says "❄️ Frozen until …" in the
 * team's zone, GitHub gets nothing), and it is dispatched exactly once when the window ends.
 */
class FreezeFlowTest {

  static final Duration PATIENCE = Duration.ofSeconds(45);
  static final long TEAM = -1001234567891L;

  /** Long enough for the approval to reach the card on a loaded machine before it ends. */
  static final Duration FREEZE = Duration.ofSeconds(60);

  private static final Path POLICY = policyFile();

  @RegisterExtension
  static final StackExtension stack =
      new StackExtension()
          .withEnvironment("GITHUB_TOKEN", FakeGitHub.TOKEN)
          .withEnvironment("RMM_GITHUB_API_URL", FakeGitHub.start())
          .withEnvironment("RMM_DEPLOY_RECHECK", "2s")
          .withEnvironment("TELEGRAM_BOT_TOKEN", FakeBotApi.TOKEN)
          .withEnvironment("RMM_TELEGRAM_API_URL", FakeBotApi.start())
          .withEnvironment("TELEGRAM_TEAM_CHAT_ID", Long.toString(TEAM))
          .withEnvironment("RMM_TELEGRAM_DEFAULT_LANGUAGE", "en")
          .withEnvironment("RMM_POLICY_FILE", POLICY.toString());

  /** No freeze at the start; the test writes its own (release-api reloads the file). */
  private static Path policyFile() {
    try {
      Path f = Files.createTempFile("rmm-policy-", ".json");
      Files.writeString(f, "{\"services\": {}}");
      f.toFile().deleteOnExit();
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private final Pipeline pipeline = new Pipeline(stack);

  @Test
  void givenAFreezeOfTheService_whenItsReleaseIsApproved_thenHeldUntilTheEndThenDispatchedOnce()
      throws Exception {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow("*", "on-approve-manual-testing.yml");
    Instant until = Instant.now().plus(FREEZE).truncatedTo(ChronoUnit.SECONDS);
    Files.writeString(
        POLICY,
        "{\"services\": {}, \"freezes\": [{\"services\": [\"frosty\"], \"from\": \""
            + until.minus(Duration.ofHours(1))
            + "\", \"until\": \""
            + until
            + "\", \"reason\": \"release train\"}, {\"services\": [\"elsewhere\"], \"weekly\":"
            + " {\"from\": \"Mon 00:00\", \"until\": \"Sun 23:59\"}, \"zone\": \"UTC\"}]}");
    awaitFreezeInForce(until);

    String id = pipeline.toManualTesting("frosty", "v1.0.0", "901");
    pipeline.approve(id, 1001L, 1002L);

    await().atMost(PATIENCE).until(() -> types(id).contains("release.dispatch-held.v1"));
    JsonNode held = event(id, "release.dispatch-held.v1");
    assertThat(Instant.parse(held.at("/data/until").asText())).isEqualTo(until);
    assertThat(held.at("/data/reason").asText()).isEqualTo("release train");
    assertThat(held.at("/actor/kind").asText()).isEqualTo("orchestrator");
    String line =
        "❄️ Frozen until "
            + DateTimeFormatter.ofPattern("dd.MM.yyyy HH:mm")
                .format(until.atZone(ZoneId.of("Europe/Moscow")))
            + " (release train)";
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                FakeBotApi.messages(TEAM).stream()
                    .anyMatch(
                        m ->
                            m.text().startsWith("📦 Service: frosty\n")
                                && m.text().contains(line)));
    assertThat(FakeGitHub.dispatchesArrived()).isZero();

    await()
        .atMost(FREEZE.plus(PATIENCE))
        .until(() -> types(id).contains("release.workflow-dispatched.v1"));
    assertThat(FakeGitHub.dispatchesArrived()).isEqualTo(1);
    assertThat(pipeline.count(id, "release.dispatch-held.v1")).isEqualTo(1);
    assertThat(pipeline.count(id, "release.dispatch-started.v1")).isEqualTo(1);
    Instant claimed =
        OffsetDateTime.parse(event(id, "release.dispatch-started.v1").path("occurred_at").asText())
            .toInstant();
    assertThat(claimed).isAfterOrEqualTo(until);
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                FakeBotApi.messages(TEAM).stream()
                    .filter(m -> m.text().startsWith("📦 Service: frosty\n"))
                    .allMatch(m -> !m.text().contains("❄️")));
  }

  /** Waits until release-api recorded the policy with the freeze on the policy topic. */
  private void awaitFreezeInForce(Instant until) {
    try (PolicyFollower policies =
        new PolicyFollower(stack.kafkaBootstrapServers(), "rmm.release-policies", "test")) {
      policies.start(Duration.ofSeconds(30));
      await()
          .atMost(PATIENCE)
          .until(
              () -> {
                PolicyChanged p = policies.history().current();
                List<FreezeWindow> freezes = p == null ? List.of() : p.freezes();
                return freezes.stream().anyMatch(w -> until.equals(w.until()));
              });
    }
  }

  private List<String> types(String id) {
    return pipeline.types(id);
  }

  private JsonNode event(String id, String type) {
    List<JsonNode> found = pipeline.events(id, type);
    assertThat(found).as(type + " in the timeline of " + id).isNotEmpty();
    return found.get(0);
  }
}
