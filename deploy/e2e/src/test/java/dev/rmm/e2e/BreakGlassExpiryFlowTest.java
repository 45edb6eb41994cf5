package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.kafka.CommandChannel;
import dev.rmm.testsupport.FakeGitHub;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15 point 4 end to end: an admin forces the approval of a release (break-glass, sent on the
 * gateway's topic as the gateway sends it) and no second admin confirms it. Nobody touches the
 * release again, yet when its window ends the orchestrator's timer ({@code BreakGlassExpiries}) has
 * release-api record {@code release.break-glass-expired.v1}, once; the read model and the team's
 * card show it expired; nothing is dispatched; a confirmation that comes after the end is refused.
 *
 * <p>The window is the service's policy's {@code break_glass_window_minutes}: lapse's is {@link
 * FakesStack#LAPSE_WINDOW} (one minute; the default is 15), so the test waits out a whole window
 * and runs in the build. The orchestrator's timer with windows of seconds is proven in its module
 * ({@code BreakGlassExpiryTest}), release-api's decision with a shifted clock in {@code
 * BreakGlassTest}.
 */
@Order(FakesStack.ORDER)
class BreakGlassExpiryFlowTest {

  static final long TEAM = FakesStack.TEAM;
  static final Duration PATIENCE = Duration.ofSeconds(45);

  @RegisterExtension static final StackExtension stack = FakesStack.extension();

  private final Pipeline pipeline = new Pipeline(stack);

  @Test
  void givenABreakGlassNobodyConfirms_whenItsWindowEnds_thenTheOrchestratorRecordsItExpired()
      throws Exception {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow("*", "on-approve-manual-testing.yml");
    String id = pipeline.toManualTesting("lapse", "v1.0.0", "941");

    try (CommandChannel gateway = gateway()) {
      JsonNode forced =
          gateway
              .send(
                  "tg-test-bg-lapse-force-" + id,
                  new ReleaseCommand.ForceApprove(
                      id, 1002, "checkout is down", null, Actor.telegram(1002, "Bob Lead")),
                  "test",
                  null,
                  null)
              .get(30, TimeUnit.SECONDS);
      assertThat(forced.path("outcome").asText()).as(forced.toString()).isEqualTo("accepted");
    }
    await()
        .atMost(PATIENCE)
        .until(() -> pipeline.types(id).contains("release.break-glass-requested.v1"));
    JsonNode requested = only(id, "release.break-glass-requested.v1");
    Instant expiresAt = Instant.parse(requested.at("/data/expires_at").asText());
    Instant at = OffsetDateTime.parse(requested.path("occurred_at").asText()).toInstant();
    // the window from the decision (the timeline's times may be cut to microseconds)
    assertThat(Duration.between(at, expiresAt))
        .isBetween(FakesStack.LAPSE_WINDOW.minusSeconds(1), FakesStack.LAPSE_WINDOW.plusSeconds(1));

    // nobody confirms; nobody touches the release: the orchestrator's timer records the lapse
    await()
        .atMost(FakesStack.LAPSE_WINDOW.plus(Duration.ofMinutes(2)))
        .pollInterval(Duration.ofSeconds(5))
        .until(() -> pipeline.types(id).contains("release.break-glass-expired.v1"));
    JsonNode expired = only(id, "release.break-glass-expired.v1");
    assertThat(expired.at("/actor/kind").asText()).isEqualTo("orchestrator");
    assertThat(OffsetDateTime.parse(expired.path("occurred_at").asText()).toInstant())
        .isAfterOrEqualTo(expiresAt);
    assertThat(pipeline.types(id))
        .containsSubsequence("release.break-glass-requested.v1", "release.break-glass-expired.v1")
        .doesNotContain(
            "release.break-glass-confirmed.v1",
            "release.quorum-reached.v1",
            "release.dispatch-started.v1");
    await()
        .atMost(PATIENCE)
        .until(() -> "expired".equals(pipeline.release(id).at("/break_glass/state").asText()));
    assertThat(pipeline.status(id)).isEqualTo("manual_testing");
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                FakesStack.BOT_API.messages(TEAM).stream()
                    .anyMatch(
                        m ->
                            m.text().startsWith("📦 Service: lapse\n")
                                && m.text()
                                    .contains("⌛ Break-glass by Bob Lead expired unconfirmed")));

    // Carol comes too late: refused, and the lapse is not recorded twice
    try (CommandChannel gateway = gateway()) {
      JsonNode late =
          gateway
              .send(
                  "tg-test-bg-lapse-confirm-" + id,
                  new ReleaseCommand.ConfirmBreakGlass(
                      id, 1003, null, Actor.telegram(1003, "Carol Admin")),
                  "test",
                  null,
                  null)
              .get(30, TimeUnit.SECONDS);
      assertThat(late.path("outcome").asText()).isEqualTo("refused");
      assertThat(late.path("reason").asText()).isEqualTo("illegal_transition");
      assertThat(late.path("detail").asText()).contains("lapsed unconfirmed");
    }
    await().atMost(PATIENCE).until(() -> pipeline.types(id).contains("release.action-refused.v1"));
    assertThat(pipeline.count(id, "release.break-glass-expired.v1")).isEqualTo(1);
    assertThat(pipeline.status(id)).isEqualTo("manual_testing");
    assertThat(FakeGitHub.dispatchesArrived(id)).isZero();
  }

  private CommandChannel gateway() throws InterruptedException {
    CommandChannel gateway =
        new CommandChannel(
            stack.kafkaBootstrapServers(), "rmm.gateway-commands", "rmm.release-command-results");
    assertThat(gateway.awaitReady(Duration.ofSeconds(30))).isTrue();
    return gateway;
  }

  private JsonNode only(String id, String type) {
    List<JsonNode> found = pipeline.events(id, type);
    assertThat(found).as(type + " in the timeline of " + id).hasSize(1);
    return found.get(0);
  }
}
