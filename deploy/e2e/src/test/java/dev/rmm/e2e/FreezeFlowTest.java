package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.FreezeWindow;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import dev.rmm.contracts.kafka.CommandChannel;
import dev.rmm.contracts.kafka.PolicyFollower;
import dev.rmm.testsupport.FakeGitHub;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A freeze window (issue 15 point 5) through the packaged services: the policy file gets a freeze
 * of one service (release-api records it on the policy topic), an approved release of that service
 * is held (the log says until when, the team chat's live card says "❄️ Frozen until …" in the
 * team's zone, GitHub gets nothing), and it is dispatched exactly once when the window ends.
 *
 * <p>The window is an hour long while the release is approved and held, so the hold never depends
 * on how fast a loaded machine is; then a policy change ends it a few seconds from now (the
 * orchestrator follows the policy in force), so the test waits for the end of the window, not an
 * hour or a minute of it.
 */
@Order(FakesStack.ORDER)
class FreezeFlowTest {

  static final Duration PATIENCE = Duration.ofSeconds(45);
  static final long TEAM = FakesStack.TEAM;

  /** The window while the release is approved and held: far longer than any wait here. */
  static final Duration FREEZE = Duration.ofHours(1);

  /** The window's end, from the moment the policy change that brings it forward is written. */
  static final Duration SHORTENED = Duration.ofSeconds(5);

  @RegisterExtension static final StackExtension stack = FakesStack.extension();

  private final Pipeline pipeline = new Pipeline(stack);

  @AfterEach
  void noFreezeForTheOtherClasses() {
    FakesStack.writePolicy("[]");
  }

  @Test
  void givenAFreezeOfTheService_whenItsReleaseIsApproved_thenHeldUntilTheEndThenDispatchedOnce()
      throws Exception {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow("*", "on-approve-manual-testing.yml");
    Instant held = Instant.now().plus(FREEZE).truncatedTo(ChronoUnit.SECONDS);
    Instant from = held.minus(Duration.ofHours(2));
    FakesStack.writePolicy(freezes(from, held));
    awaitFreezeInForce(held);

    String id = pipeline.toManualTesting("frosty", "v1.0.0", "901");
    pipeline.approve(id, 1001L, 1002L);

    await().atMost(PATIENCE).until(() -> types(id).contains("release.dispatch-held.v1"));
    JsonNode hold = event(id, "release.dispatch-held.v1");
    assertThat(Instant.parse(hold.at("/data/until").asText())).isEqualTo(held);
    assertThat(hold.at("/data/reason").asText()).isEqualTo("release train");
    assertThat(hold.at("/actor/kind").asText()).isEqualTo("orchestrator");
    String line =
        "❄️ Frozen until "
            + DateTimeFormatter.ofPattern("dd.MM.yyyy HH:mm")
                .format(held.atZone(ZoneId.of("Europe/Moscow")))
            + " (release train)";
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                FakesStack.BOT_API.messages(TEAM).stream()
                    .anyMatch(
                        m ->
                            m.text().startsWith("📦 Service: frosty\n")
                                && m.text().contains(line)));
    assertThat(FakeGitHub.dispatchesArrived(id)).isZero();

    // the team ends the freeze early: it now ends a few seconds from now
    Instant until = Instant.now().plus(SHORTENED).truncatedTo(ChronoUnit.SECONDS);
    FakesStack.writePolicy(freezes(from, until));
    awaitFreezeInForce(until);

    await()
        .atMost(SHORTENED.plus(PATIENCE))
        .until(() -> types(id).contains("release.workflow-dispatched.v1"));
    assertThat(FakeGitHub.dispatchesArrived(id)).isEqualTo(1);
    assertThat(pipeline.count(id, "release.dispatch-started.v1")).isEqualTo(1);
    // held once per end: the hour's end, and the new end if the orchestrator saw the change
    // before it came (else the release was due at once)
    List<Instant> ends =
        pipeline.events(id, "release.dispatch-held.v1").stream()
            .map(e -> Instant.parse(e.at("/data/until").asText()))
            .toList();
    assertThat(ends).isIn(List.of(held), List.of(held, until));
    Instant claimed =
        OffsetDateTime.parse(event(id, "release.dispatch-started.v1").path("occurred_at").asText())
            .toInstant();
    assertThat(claimed).isAfterOrEqualTo(until);
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                FakesStack.BOT_API.messages(TEAM).stream()
                    .filter(m -> m.text().startsWith("📦 Service: frosty\n"))
                    .allMatch(m -> !m.text().contains("❄️")));
  }

  /**
   * Issue 15 points 5 and 6 together: a dispatch failed (its workflow did not exist yet), and the
   * admin's 🔁 retry (sent on the gateway's topic as the gateway sends it) comes during a freeze of
   * the service. The retry is held (the log says until when, the card says "❄️ Frozen until …",
   * GitHub is asked nothing), and when a policy change ends the window it is sent once, with the
   * first claim's dispatch id: one run in GitHub, one claim in the log.
   */
  @Test
  void givenAFailedDispatch_whenItsRetryComesDuringAFreeze_thenHeldThenDispatchedOnceAfterIt()
      throws Exception {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow("*", "on-approve-manual-testing.yml");
    String service = "thaw-retry";
    String id = pipeline.toManualTesting(service, "v1.0.0", "931");
    pipeline.approve(id, 1001L, 1002L);
    await().atMost(PATIENCE).until(() -> types(id).contains("release.dispatch-failed.v1"));
    await()
        .atMost(PATIENCE)
        .until(() -> "failed".equals(pipeline.release(id).at("/dispatch/outcome").asText()));
    String dispatchId = event(id, "release.dispatch-started.v1").at("/data/dispatch_id").asText();
    assertThat(FakeGitHub.dispatchesArrived(id)).as("the failed dispatch").isEqualTo(1);

    // the team adds the workflow, but the service is frozen for now
    FakeGitHub.addWorkflow("*", FakesStack.THAW_RETRY_WORKFLOW);
    Instant held = Instant.now().plus(FREEZE).truncatedTo(ChronoUnit.SECONDS);
    Instant from = held.minus(Duration.ofHours(2));
    FakesStack.writePolicy(freezes(service, from, held));
    awaitFreezeInForce(held);

    try (CommandChannel gateway =
        new CommandChannel(
            stack.kafkaBootstrapServers(), "rmm.gateway-commands", "rmm.release-command-results")) {
      assertThat(gateway.awaitReady(Duration.ofSeconds(30))).isTrue();
      JsonNode retry =
          gateway
              .send(
                  "tg-test-freeze-retry-" + id,
                  new ReleaseCommand.RetryDispatch(
                      id, 1002, null, Actor.telegram(1002, "Bob Lead")),
                  "test",
                  null,
                  null)
              .get(30, TimeUnit.SECONDS);
      assertThat(retry.path("outcome").asText()).as(retry.toString()).isEqualTo("accepted");
    }

    await().atMost(PATIENCE).until(() -> types(id).contains("release.dispatch-held.v1"));
    JsonNode hold = event(id, "release.dispatch-held.v1");
    assertThat(Instant.parse(hold.at("/data/until").asText())).isEqualTo(held);
    assertThat(hold.at("/actor/kind").asText()).isEqualTo("orchestrator");
    assertThat(types(id))
        .containsSubsequence(
            "release.dispatch-failed.v1",
            "release.dispatch-retry-requested.v1",
            "release.dispatch-held.v1");
    String line =
        "❄️ Frozen until "
            + DateTimeFormatter.ofPattern("dd.MM.yyyy HH:mm")
                .format(held.atZone(ZoneId.of("Europe/Moscow")))
            + " (release train)";
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                FakesStack.BOT_API.messages(TEAM).stream()
                    .anyMatch(
                        m ->
                            m.text().startsWith("📦 Service: " + service + "\n")
                                && m.text().contains(line)));
    assertThat(FakeGitHub.dispatchesArrived(id)).as("nothing sent during the freeze").isEqualTo(1);
    assertThat(FakeGitHub.runTitles("acme/" + service, FakesStack.THAW_RETRY_WORKFLOW)).isEmpty();

    // the team ends the freeze early: it now ends a few seconds from now
    Instant until = Instant.now().plus(SHORTENED).truncatedTo(ChronoUnit.SECONDS);
    FakesStack.writePolicy(freezes(service, from, until));
    awaitFreezeInForce(until);

    await()
        .atMost(SHORTENED.plus(PATIENCE))
        .until(() -> types(id).contains("release.workflow-dispatched.v1"));
    assertThat(FakeGitHub.runTitles("acme/" + service, FakesStack.THAW_RETRY_WORKFLOW))
        .containsExactly("Deploy v1.0.0 (" + dispatchId + ")");
    assertThat(FakeGitHub.dispatchesArrived(id)).as("the failed one and the retry").isEqualTo(2);
    assertThat(pipeline.count(id, "release.dispatch-started.v1")).isEqualTo(1);
    assertThat(pipeline.count(id, "release.dispatch-retry-requested.v1")).isEqualTo(1);
    Instant sent =
        OffsetDateTime.parse(
                event(id, "release.workflow-dispatched.v1").path("occurred_at").asText())
            .toInstant();
    assertThat(sent).isAfterOrEqualTo(until);
    await()
        .atMost(PATIENCE)
        .until(() -> "dispatched".equals(pipeline.release(id).at("/dispatch/outcome").asText()));
    assertThat(pipeline.release(id).at("/dispatch/retries").asInt()).isEqualTo(1);
  }

  /**
   * A freeze of frosty from {@code from} until {@code until}, and one of a service never released.
   */
  private static String freezes(Instant from, Instant until) {
    return freezes("frosty", from, until);
  }

  /**
   * A freeze of {@code service} from {@code from} until {@code until}, and one of a service never
   * released.
   */
  private static String freezes(String service, Instant from, Instant until) {
    return "[{\"services\": [\""
        + service
        + "\"], \"from\": \""
        + from
        + "\", \"until\": \""
        + until
        + "\", \"reason\": \"release train\"}, {\"services\": [\"elsewhere\"], \"weekly\":"
        + " {\"from\": \"Mon 00:00\", \"until\": \"Sun 23:59\"}, \"zone\": \"UTC\"}]";
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
