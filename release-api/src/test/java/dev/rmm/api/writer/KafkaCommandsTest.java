package dev.rmm.api.writer;

import static dev.rmm.api.support.Api.BILLING_REPO;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.api.support.Api;
import dev.rmm.api.support.CommandsOverKafka;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.CommandCodec;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway and the orchestrator talk to the writer through their commands topics, and other
 * release-api instances forward requests through theirs. Here a plain Kafka producer plays them:
 * each command gets its events in the log and one answer on the results topic, keyed by command id;
 * unreadable commands are answered (when they have an id) and skipped without stopping the
 * partition.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class KafkaCommandsTest {

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
  void givenApprovalsAsKafkaCommands_thenEventsAreAppendedAndEachCommandIsAnswered()
      throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO);

    String first = send(id, approve(id, 1001, "Alice"));
    JsonNode answer = kafka.awaitResult(first);
    assertThat(answer.path("outcome").asText()).isEqualTo("accepted");
    assertThat(answer.path("release_id").asText()).isEqualTo(id);
    assertThat(answer.path("status").asText()).isEqualTo("manual_testing");
    assertThat(answer.path("approvals").asInt()).isEqualTo(1);
    assertThat(answer.path("quorum").asInt()).isEqualTo(3);
    assertThat(answer.path("events").get(0).asText()).isEqualTo("release.approval-granted.v1");

    EventEnvelope granted = last(log.events(id));
    assertThat(granted.type()).isEqualTo("release.approval-granted.v1");
    assertThat(granted.sequence()).isEqualTo(5);
    assertThat(granted.causationId()).isEqualTo(first);
    assertThat(granted.actor()).isEqualTo(Actor.telegram(1001, "Alice"));

    send(id, approve(id, 1002, "Bob"));
    String third = send(id, approve(id, 1003, "Carol"));
    JsonNode quorum = kafka.awaitResult(third);
    assertThat(quorum.path("outcome").asText()).isEqualTo("accepted");
    assertThat(quorum.path("status").asText()).isEqualTo("manual_test_passed");
    assertThat(quorum.path("events").toString())
        .isEqualTo("[\"release.approval-granted.v1\",\"release.quorum-reached.v1\"]");

    // the pipeline's production step, forwarded by another release-api instance
    String deploying =
        send(
            id,
            new ReleaseCommand.ReportStep(
                id,
                ReleaseStatus.DEPLOYING,
                "workflow dispatched",
                new Actor(Actor.Kind.GITHUB, BILLING_REPO, null)));
    assertThat(kafka.awaitResult(deploying).path("status").asText()).isEqualTo("deploying");
    assertThat(log.types(id))
        .containsExactly(
            "release.created.v1",
            "release.status-changed.v1",
            "release.status-changed.v1",
            "release.status-changed.v1",
            "release.approval-granted.v1",
            "release.approval-granted.v1",
            "release.approval-granted.v1",
            "release.quorum-reached.v1",
            "release.status-changed.v1");
  }

  @Test
  void givenARefusedCommand_thenTheAnswerSaysWhyAndTheAttemptIsAudited() throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    String command = send(id, approve(id, 2000, "Mallory"));
    JsonNode answer = kafka.awaitResult(command);
    assertThat(answer.path("outcome").asText()).isEqualTo("refused");
    assertThat(answer.path("reason").asText()).isEqualTo("not_allowed");
    assertThat(answer.path("detail").asText()).contains("user 2000 is not an approver");
    assertThat(answer.path("events").toString()).isEqualTo("[\"release.action-refused.v1\"]");
    assertThat(last(log.events(id)).type()).isEqualTo("release.action-refused.v1");
  }

  @Test
  void givenUnreadableCommands_thenTheyAreSkippedAndLaterCommandsAreStillDecided()
      throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    var before = log.endOffsets();

    // garbage on the release's partition: no id to answer to, skipped
    kafka.deliver(
        ReleaseLog.commandsTopic(), id, "\u0000not json{".getBytes(StandardCharsets.UTF_8));
    // a command from a newer client: answered as refused
    String unknown = UUID.randomUUID().toString();
    ObjectNode future = EventCodec.mapper().createObjectNode();
    future.put("command_id", unknown);
    future.put("type", "release.teleport.v9");
    future.put("release_id", id);
    future.putObject("actor").put("kind", "telegram").put("id", "1001");
    kafka.deliver(ReleaseLog.commandsTopic(), id, EventCodec.mapper().writeValueAsBytes(future));

    JsonNode refused = kafka.awaitResult(unknown);
    assertThat(refused.path("outcome").asText()).isEqualTo("refused");
    assertThat(refused.path("reason").asText()).isEqualTo("invalid");
    assertThat(refused.path("detail").asText())
        .contains("unknown command type 'release.teleport.v9'");
    assertThat(refused.path("events")).isEmpty();
    assertThat(log.endOffsets()).isEqualTo(before);

    // the partition did not get stuck: the next command is decided
    String next = send(id, approve(id, 1002, "Bob"));
    JsonNode accepted = kafka.awaitResult(next);
    assertThat(accepted.path("outcome").asText()).isEqualTo("accepted");
    assertThat(accepted.path("approvals").asInt()).isEqualTo(1);
    assertThat(last(log.events(id)).causationId()).isEqualTo(next);
  }

  @Test
  void givenATelegramActorWithANonNumericId_thenItIsRefusedAndThePartitionGoesOn()
      throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    // a Telegram actor whose id is not a number is nobody: refused and audited, never a crash
    String poison =
        send(
            id,
            new ReleaseCommand.CancelRelease(
                id, "wrong build", new Actor(Actor.Kind.TELEGRAM, "not-a-number", "Eve")));
    JsonNode refused = kafka.awaitResult(poison);
    assertThat(refused.path("outcome").asText()).isEqualTo("refused");
    assertThat(refused.path("reason").asText()).isEqualTo("not_allowed");
    assertThat(refused.path("detail").asText()).contains("not-a-number", "not an admin");
    assertThat(refused.path("status").asText()).isEqualTo("manual_testing");
    assertThat(refused.path("events").toString()).isEqualTo("[\"release.action-refused.v1\"]");

    String next = send(id, approve(id, 1003, "Carol"));
    assertThat(kafka.awaitResult(next).path("outcome").asText()).isEqualTo("accepted");
    assertThat(last(log.events(id)).causationId()).isEqualTo(next);
  }

  @Test
  void givenACommandDeliveredAgain_thenItHasOneEffectAndTheSameAnswer() throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    // a crash after the events were valid but before the command's offset was committed: the
    // next owner reads the same command (same command id) again
    String commandId = UUID.randomUUID().toString();
    byte[] json =
        CommandCodec.encode(commandId, approve(id, 1001, "Alice"), "corr-" + commandId, null);
    kafka.deliver(ReleaseLog.commandsTopic(), id, json);
    JsonNode first = kafka.awaitResult(commandId);
    kafka.deliver(ReleaseLog.commandsTopic(), id, json);
    JsonNode again = kafka.awaitResult(commandId);

    assertThat(again.path("outcome").asText()).isEqualTo("accepted");
    assertThat(again.path("events")).isEqualTo(first.path("events"));
    assertThat(again.path("approvals").asInt()).isEqualTo(1);
    assertThat(log.events(id).stream().filter(e -> commandId.equals(e.causationId())))
        .extracting(EventEnvelope::type)
        .containsExactly("release.approval-granted.v1");

    // a refused command read again is refused again, without a second audit record
    String refusedId = UUID.randomUUID().toString();
    byte[] refused =
        CommandCodec.encode(refusedId, approve(id, 2000, "Mallory"), "corr-" + refusedId, null);
    kafka.deliver(ReleaseLog.commandsTopic(), id, refused);
    JsonNode no = kafka.awaitResult(refusedId);
    kafka.deliver(ReleaseLog.commandsTopic(), id, refused);
    JsonNode noAgain = kafka.awaitResult(refusedId);
    assertThat(noAgain.path("outcome").asText()).isEqualTo("refused");
    assertThat(noAgain.path("reason")).isEqualTo(no.path("reason"));
    assertThat(noAgain.path("detail")).isEqualTo(no.path("detail"));
    assertThat(log.events(id).stream().filter(e -> refusedId.equals(e.causationId()))).hasSize(1);
  }

  @Test
  void givenACommandReadAfterItsSendersDeadline_thenItIsAnsweredExpiredAndNotDecided()
      throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    long before = log.events(id).size();
    // the sender (the gateway, or another release-api instance forwarding) gave up a second ago
    String late = UUID.randomUUID().toString();
    byte[] json =
        CommandCodec.encode(
            late,
            approve(id, 1001, "Alice"),
            "corr-" + late,
            null,
            null,
            java.time.Instant.now().minusSeconds(1));
    kafka.deliver(ReleaseLog.commandsTopic(), id, json);
    JsonNode answer = kafka.awaitResult(late);

    assertThat(answer.path("outcome").asText()).isEqualTo("refused");
    assertThat(answer.path("reason").asText()).isEqualTo("expired");
    assertThat(answer.path("events")).isEmpty();
    // the partition goes on: a command in time is decided, and the late one left no trace
    String next = send(id, approve(id, 1002, "Bob"));
    assertThat(kafka.awaitResult(next).path("outcome").asText()).isEqualTo("accepted");
    assertThat(log.events(id)).hasSize((int) before + 1);
    assertThat(log.events(id).stream().filter(e -> late.equals(e.causationId()))).isEmpty();
  }

  @Test
  void givenTheGatewaysTopic_whenItCarriesADispatchOrAnotherActor_thenRefusedWithNothingAppended()
      throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    int before = log.events(id).size();
    ReleaseCommand dispatch =
        new ReleaseCommand.StartDispatch(
            id,
            "d-forged",
            "evil/repo",
            "deploy.yml",
            "refs/heads/evil",
            new Actor(Actor.Kind.ORCHESTRATOR, "forged", "deploy-orchestrator"));
    ReleaseCommand asAdmin =
        new ReleaseCommand.Approve(id, 1001, null, new Actor(Actor.Kind.ADMIN, "*", "admin"));

    JsonNode forgedDispatch =
        kafka.awaitResult(kafka.send(ReleaseLog.gatewayCommandsTopic(), id, dispatch));
    JsonNode forgedActor =
        kafka.awaitResult(kafka.send(ReleaseLog.gatewayCommandsTopic(), id, asAdmin));

    assertThat(forgedDispatch.path("reason").asText()).isEqualTo("not_allowed");
    assertThat(forgedDispatch.path("detail").asText())
        .isEqualTo("StartDispatch may not come from the gateway's topic");
    assertThat(forgedActor.path("reason").asText()).isEqualTo("not_allowed");
    assertThat(forgedActor.path("detail").asText())
        .isEqualTo("the gateway's topic may not act as admin");
    assertThat(log.events(id)).hasSize(before);
    // a person's approval on the gateway's topic is what it is for
    JsonNode approved =
        kafka.awaitResult(
            kafka.send(ReleaseLog.gatewayCommandsTopic(), id, approve(id, 1001, "Alice")));
    assertThat(approved.path("outcome").asText()).isEqualTo("accepted");
  }

  @Test
  void givenTheOrchestratorsTopic_whenItCarriesAnApproval_thenRefusedWithNothingAppended()
      throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    int before = log.events(id).size();

    JsonNode answer =
        kafka.awaitResult(
            kafka.send(ReleaseLog.orchestratorCommandsTopic(), id, approve(id, 1001, "Alice")));

    assertThat(answer.path("outcome").asText()).isEqualTo("refused");
    assertThat(answer.path("detail").asText())
        .isEqualTo("Approve may not come from the orchestrator's topic");
    assertThat(log.events(id)).hasSize(before);
  }

  @Test
  void
      givenTheOrchestratorsTopic_whenItSupersedesARelease_thenItIsCancelledAndRefusesApprovalsAndSteps()
          throws Exception {
    String older = Api.releaseInManualTesting(BILLING_REPO);
    Actor orchestrator = new Actor(Actor.Kind.ORCHESTRATOR, "orch-1", "deploy-orchestrator");
    ReleaseCommand supersede =
        new ReleaseCommand.SupersedeRelease(older, "newer-release-id", "v9.9.9", orchestrator);
    int before = log.events(older).size();

    // the gateway's principal may not supersede anything
    JsonNode forged =
        kafka.awaitResult(kafka.send(ReleaseLog.gatewayCommandsTopic(), older, supersede));
    assertThat(forged.path("detail").asText())
        .isEqualTo("SupersedeRelease may not come from the gateway's topic");
    assertThat(log.events(older)).hasSize(before);

    // the orchestrator's command id names both releases: a redelivery has one effect
    String commandId = "supersede-" + older + "-newer-release-id";
    byte[] json = CommandCodec.encode(commandId, supersede, "corr-" + commandId, null);
    kafka.deliver(ReleaseLog.orchestratorCommandsTopic(), older, json);
    JsonNode first = kafka.awaitResult(commandId);
    kafka.deliver(ReleaseLog.orchestratorCommandsTopic(), older, json);
    JsonNode again = kafka.awaitResult(commandId);

    assertThat(first.path("outcome").asText()).isEqualTo("accepted");
    assertThat(first.path("status").asText()).isEqualTo("cancelled");
    assertThat(first.path("events").toString()).isEqualTo("[\"release.superseded.v1\"]");
    assertThat(again.path("events")).isEqualTo(first.path("events"));
    EventEnvelope superseded = last(log.events(older));
    assertThat(superseded.data())
        .isEqualTo(
            new ReleaseEvent.ReleaseSuperseded(
                ReleaseStatus.MANUAL_TESTING, "newer-release-id", "v9.9.9"));
    assertThat(log.events(older)).hasSize(before + 1);

    // a late approval and a late step are refused with a clear detail; nothing is appended
    Api.assertProblem(
        Api.approve(older, 1001), 409, "release is cancelled; only a release in manual_testing");
    Api.assertProblem(Api.step(Api.ADMIN, older, "stage_building"), 409, "the release is final");
  }

  @Test
  void
      givenAFailedDispatch_whenAnAdminRetriesOnTheGatewaysTopic_thenOneRetryEventAndAStrangerIsAudited()
          throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    for (long user : new long[] {1001, 1002, 1003}) {
      kafka.awaitResult(
          kafka.send(ReleaseLog.gatewayCommandsTopic(), id, approve(id, user, "u" + user)));
    }
    Actor orchestrator = new Actor(Actor.Kind.ORCHESTRATOR, "orch-1", "deploy-orchestrator");
    kafka.awaitResult(
        kafka.send(
            ReleaseLog.orchestratorCommandsTopic(),
            id,
            new ReleaseCommand.StartDispatch(
                id, "d-1", BILLING_REPO, "deploy.yml", "main", orchestrator)));
    kafka.awaitResult(
        kafka.send(
            ReleaseLog.orchestratorCommandsTopic(),
            id,
            new ReleaseCommand.RecordDispatch(
                id, "d-1", false, 401, "Bad credentials", 1, orchestrator)));

    // an approver who is no admin: refused, and the attempt is in the log
    JsonNode refused =
        kafka.awaitResult(
            kafka.send(
                ReleaseLog.gatewayCommandsTopic(),
                id,
                new ReleaseCommand.RetryDispatch(id, 1001, null, Actor.telegram(1001, "Alice"))));
    assertThat(refused.path("reason").asText()).isEqualTo("not_allowed");
    assertThat(last(log.events(id)).data())
        .isInstanceOfSatisfying(
            ReleaseEvent.ActionRefused.class,
            e -> assertThat(e.action()).isEqualTo("retry-dispatch"));

    // the admin (1002 in the test policy): accepted once, a redelivery has the same answer
    String commandId = UUID.randomUUID().toString();
    byte[] json =
        CommandCodec.encode(
            commandId,
            new ReleaseCommand.RetryDispatch(id, 1002, null, Actor.telegram(1002, "Olga")),
            "corr-" + commandId,
            null);
    kafka.deliver(ReleaseLog.gatewayCommandsTopic(), id, json);
    JsonNode first = kafka.awaitResult(commandId);
    kafka.deliver(ReleaseLog.gatewayCommandsTopic(), id, json);
    JsonNode again = kafka.awaitResult(commandId);

    assertThat(first.path("outcome").asText()).isEqualTo("accepted");
    assertThat(first.path("status").asText()).isEqualTo("manual_test_passed");
    assertThat(first.path("events").toString())
        .isEqualTo("[\"release.dispatch-retry-requested.v1\"]");
    assertThat(again.path("events")).isEqualTo(first.path("events"));
    assertThat(log.events(id).stream().filter(e -> commandId.equals(e.causationId())))
        .extracting(EventEnvelope::data)
        .singleElement()
        .isInstanceOfSatisfying(
            ReleaseEvent.DispatchRetryRequested.class,
            e -> {
              assertThat(e.requestedBy()).isEqualTo(1002);
              assertThat(e.dispatchId()).isEqualTo("d-1");
            });
  }

  /**
   * The orchestrator's freeze hold (issue 15 point 5) is the accepted cell of the matrix's
   * hold-dispatch row ({@code AuthorizationMatrixTest} has the refusals): on its own topic, as the
   * orchestrator, one held event, and its command id (release and freeze end) makes a redelivery a
   * repeat.
   */
  @Test
  void
      givenAnApprovedRelease_whenTheOrchestratorHoldsItsDispatch_thenOneHeldEventEvenIfRedelivered()
          throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    for (long user : new long[] {1001, 1002, 1003}) {
      kafka.awaitResult(
          kafka.send(ReleaseLog.gatewayCommandsTopic(), id, approve(id, user, "u" + user)));
    }
    java.time.Instant until = java.time.Instant.parse("2099-01-01T09:00:00Z");
    Actor orchestrator = new Actor(Actor.Kind.ORCHESTRATOR, "orch-1", "deploy-orchestrator");
    String commandId = "hold-" + id + "-" + until.toEpochMilli();
    byte[] json =
        CommandCodec.encode(
            commandId,
            new ReleaseCommand.HoldDispatch(id, until, "release train", 1L, orchestrator),
            "corr-" + commandId,
            null);

    kafka.deliver(ReleaseLog.orchestratorCommandsTopic(), id, json);
    JsonNode first = kafka.awaitResult(commandId);
    kafka.deliver(ReleaseLog.orchestratorCommandsTopic(), id, json);
    JsonNode again = kafka.awaitResult(commandId);

    assertThat(first.path("outcome").asText()).as(first.toString()).isEqualTo("accepted");
    assertThat(first.path("status").asText()).isEqualTo("manual_test_passed");
    assertThat(first.path("events").toString()).isEqualTo("[\"release.dispatch-held.v1\"]");
    assertThat(again.path("events")).isEqualTo(first.path("events"));
    assertThat(log.events(id).stream().filter(e -> commandId.equals(e.causationId())))
        .extracting(EventEnvelope::data)
        .containsExactly(new ReleaseEvent.DispatchHeld(until, "release train", 1L));
  }

  private static ReleaseCommand approve(String id, long user, String name) {
    return new ReleaseCommand.Approve(id, user, null, Actor.telegram(user, name));
  }

  /** Sends a command keyed by its release id, as the gateway does, and returns its id. */
  private String send(String releaseId, ReleaseCommand command) throws Exception {
    return kafka.send(ReleaseLog.commandsTopic(), releaseId, command);
  }

  private static EventEnvelope last(List<EventEnvelope> events) {
    return events.get(events.size() - 1);
  }
}
