package dev.rmm.api.breakglass;

import static dev.rmm.api.support.Api.BILLING_REPO;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.api.support.Api;
import dev.rmm.api.support.CommandsOverKafka;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.api.writer.DecisionClock;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.CommandCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Break-glass (issue 15 point 4) through the gateway's commands topic, as the Telegram buttons send
 * it, on the real broker: service {@code vault} of the test policy file has two admins, Bob (1002)
 * and Dora (1004). The writer's clock is moved forward (QuarkusMock on {@link DecisionClock}) to
 * pass the 15 minutes a request waits for its confirmation, instead of waiting them out.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class BreakGlassTest {

  private static final String SERVICE = "vault";
  private static final long BOB = 1002;
  private static final long CAROL = 1003;
  private static final long DORA = 1004;

  private ReleaseLog log;
  private CommandsOverKafka kafka;

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    log = new ReleaseLog();
    kafka = new CommandsOverKafka(log, Duration.ofSeconds(15));
  }

  @AfterEach
  void tearDown() {
    kafka.close();
    log.close();
  }

  @Test
  void givenAForcedApproval_whenASecondAdminConfirmsInTime_thenTheReleasePassesManualTesting()
      throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO, SERVICE);

    JsonNode forced = kafka.awaitResult(send(id, force(id, BOB, "Bob", "payments are down")));
    assertThat(forced.path("outcome").asText()).isEqualTo("accepted");
    assertThat(forced.path("status").asText()).isEqualTo("manual_testing");
    assertThat(forced.path("events").toString())
        .isEqualTo("[\"release.break-glass-requested.v1\"]");
    EventEnvelope requested = last(log.events(id));
    ReleaseEvent.BreakGlassRequested r = (ReleaseEvent.BreakGlassRequested) requested.data();
    assertThat(r.reason()).isEqualTo("payments are down");
    assertThat(r.tag()).isEqualTo("v1.2.3");
    assertThat(r.commitSha()).isEqualTo("0123456789abcdef0123456789abcdef01234567");
    assertThat(r.expiresAt())
        .isEqualTo(requested.occurredAt().plus(ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW));

    JsonNode own = kafka.awaitResult(send(id, confirm(id, BOB, "Bob")));
    assertThat(own.path("outcome").asText()).isEqualTo("refused");
    assertThat(own.path("reason").asText()).isEqualTo("not_allowed");
    assertThat(own.path("detail").asText()).contains("a second admin must");

    String confirmation = send(id, confirm(id, DORA, "Dora"));
    JsonNode confirmed = kafka.awaitResult(confirmation);
    assertThat(confirmed.path("outcome").asText()).isEqualTo("accepted");
    assertThat(confirmed.path("status").asText()).isEqualTo("manual_test_passed");
    assertThat(confirmed.path("events").toString())
        .isEqualTo("[\"release.break-glass-confirmed.v1\",\"release.quorum-reached.v1\"]");

    // the same confirmation delivered again: the same answer, nothing appended
    byte[] again =
        CommandCodec.encode(confirmation, confirm(id, DORA, "Dora"), "corr-" + confirmation, null);
    long before = log.events(id).size();
    kafka.deliver(ReleaseLog.gatewayCommandsTopic(), id, again);
    assertThat(kafka.awaitResult(confirmation).path("outcome").asText()).isEqualTo("accepted");
    assertThat(log.events(id)).hasSize((int) before);

    assertThat(log.types(id))
        .containsSubsequence(
            "release.break-glass-requested.v1",
            "release.action-refused.v1",
            "release.break-glass-confirmed.v1",
            "release.quorum-reached.v1")
        .containsOnlyOnce("release.quorum-reached.v1");
    ReleaseEvent.ApprovalQuorumReached quorum =
        (ReleaseEvent.ApprovalQuorumReached) last(log.events(id)).data();
    assertThat(quorum.approverIds()).containsExactly(BOB, DORA);
  }

  @Test
  void givenAForcedApprovalNobodyConfirms_whenFifteenMinutesPass_thenItExpiresAndIsRefused()
      throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO, SERVICE);
    assertThat(
            kafka.awaitResult(send(id, force(id, BOB, "Bob", "hotfix"))).path("outcome").asText())
        .isEqualTo("accepted");

    QuarkusMock.installMockForType(
        new ShiftedClock(ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW.plusMinutes(1)),
        DecisionClock.class);
    JsonNode late = kafka.awaitResult(send(id, confirm(id, DORA, "Dora")));

    assertThat(late.path("outcome").asText()).isEqualTo("refused");
    assertThat(late.path("reason").asText()).isEqualTo("illegal_transition");
    assertThat(late.path("detail").asText()).contains("lapsed unconfirmed");
    assertThat(late.path("status").asText()).isEqualTo("manual_testing");
    assertThat(log.types(id))
        .endsWith("release.break-glass-expired.v1", "release.action-refused.v1")
        .doesNotContain("release.quorum-reached.v1", "release.break-glass-confirmed.v1");

    // the approvers' quorum still decides the release
    kafka.awaitResult(send(id, approve(id, CAROL, "Carol")));
    JsonNode quorum = kafka.awaitResult(send(id, approve(id, 1001, "Alice")));
    assertThat(quorum.path("status").asText()).isEqualTo("manual_test_passed");
  }

  /**
   * The orchestrator's timer (release.expire-break-glass.v1 on its own topic) records a request
   * nobody confirmed once its window ended, judged with the writer's clock: too early it is refused
   * and appends nothing; after the window the expiry is appended once, and a repeat appends
   * nothing.
   */
  @Test
  void givenAForcedApprovalNobodyTouches_whenTheOrchestratorsTimerFires_thenTheExpiryIsRecorded()
      throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO, SERVICE);
    assertThat(
            kafka.awaitResult(send(id, force(id, BOB, "Bob", "hotfix"))).path("outcome").asText())
        .isEqualTo("accepted");
    Instant expiresAt =
        ((ReleaseEvent.BreakGlassRequested) last(log.events(id)).data()).expiresAt();
    ReleaseCommand timer =
        new ReleaseCommand.ExpireBreakGlass(
            id,
            expiresAt,
            new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-1", "deploy-orchestrator"));

    JsonNode early = kafka.awaitResult(sendAsOrchestrator(id, timer));
    assertThat(early.path("outcome").asText()).isEqualTo("refused");
    assertThat(early.path("reason").asText()).isEqualTo("illegal_transition");
    assertThat(log.types(id)).doesNotContain("release.break-glass-expired.v1");

    QuarkusMock.installMockForType(
        new ShiftedClock(ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW.plusMinutes(1)),
        DecisionClock.class);
    JsonNode expired = kafka.awaitResult(sendAsOrchestrator(id, timer));
    assertThat(expired.path("outcome").asText()).isEqualTo("accepted");
    assertThat(expired.path("events").toString()).isEqualTo("[\"release.break-glass-expired.v1\"]");
    JsonNode again = kafka.awaitResult(sendAsOrchestrator(id, timer));
    assertThat(again.path("outcome").asText()).isEqualTo("accepted");
    assertThat(again.path("events").size()).isZero();
    assertThat(log.types(id)).containsOnlyOnce("release.break-glass-expired.v1");
  }

  /** Sends a command on the orchestrator's topic, keyed by its release id; returns its id. */
  private String sendAsOrchestrator(String releaseId, ReleaseCommand command) throws Exception {
    return kafka.send(ReleaseLog.orchestratorCommandsTopic(), releaseId, command);
  }

  @Test
  void givenANonAdminOrAReleaseNotInManualTesting_whenForcing_thenRefusedAndAudited()
      throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO, SERVICE);
    JsonNode carol = kafka.awaitResult(send(id, force(id, CAROL, "Carol", "I am sure")));
    assertThat(carol.path("outcome").asText()).isEqualTo("refused");
    assertThat(carol.path("reason").asText()).isEqualTo("not_allowed");
    assertThat(last(log.events(id)).data()).isInstanceOf(ReleaseEvent.ActionRefused.class);

    JsonNode blank = kafka.awaitResult(send(id, force(id, BOB, "Bob", "  ")));
    assertThat(blank.path("reason").asText()).isEqualTo("invalid");

    String building = Api.createRelease(BILLING_REPO);
    JsonNode early =
        kafka.awaitResult(send(building, force(building, 1002, "Bob", "skip the stage")));
    assertThat(early.path("outcome").asText()).isEqualTo("refused");
    // the default policy's admin is Bob (1002) too; the status is what refuses it
    assertThat(early.path("reason").asText()).isEqualTo("illegal_transition");
    assertThat(early.path("detail").asText()).contains("only in [manual_testing]");
  }

  /** The system clock moved forward. */
  static final class ShiftedClock extends DecisionClock {
    private final Duration ahead;

    ShiftedClock(Duration ahead) {
      this.ahead = ahead;
    }

    @Override
    public Instant now() {
      return Instant.now().plus(ahead);
    }
  }

  private static ReleaseCommand force(String id, long user, String name, String reason) {
    return new ReleaseCommand.ForceApprove(id, user, reason, null, Actor.telegram(user, name));
  }

  private static ReleaseCommand confirm(String id, long user, String name) {
    return new ReleaseCommand.ConfirmBreakGlass(id, user, null, Actor.telegram(user, name));
  }

  private static ReleaseCommand approve(String id, long user, String name) {
    return new ReleaseCommand.Approve(id, user, null, Actor.telegram(user, name));
  }

  /** Sends a command on the gateway's topic, keyed by its release id, and returns its id. */
  private String send(String releaseId, ReleaseCommand command) throws Exception {
    return kafka.send(ReleaseLog.gatewayCommandsTopic(), releaseId, command);
  }

  private static EventEnvelope last(List<EventEnvelope> events) {
    return events.get(events.size() - 1);
  }
}
