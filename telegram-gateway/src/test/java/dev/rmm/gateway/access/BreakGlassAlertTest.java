package dev.rmm.gateway.access;

import static dev.rmm.gateway.access.AccessTestStack.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.gateway.outage.ReadModelRows;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.FakeBotApi.SentMessage;
import dev.rmm.testsupport.PostgresTestResource;
import dev.rmm.testsupport.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, point 4, in the alerts chat: a break-glass request's alert carries "✅ Confirm
 * break-glass", and a second admin confirms from there as from the card (a confirmation first, then
 * {@code release.confirm-break-glass.v1} with the request's version); the alert keeps its text and
 * loses the button. The admin who asked is refused in their language, and the button stays for
 * another admin. Real Kafka (the release log the gateway reads, the commands topic), Redis and
 * Postgres, the fake Bot API; release-api is stood in for by a responder that answers as the
 * decider would.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(AccessTestStack.class)
class BreakGlassAlertTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  private static final PrivateChat CHAT = new PrivateChat(() -> botApi, 7_800_001);
  // ADMIN is AccessTestStack's: the policy in force on this stack's broker may name only this
  // admin; OTHER_ADMIN is the releases' other admin, in the read model and the log only
  private static final long OTHER_ADMIN = 6699;
  private static final String CONFIRM = "✅ Confirm break-glass";

  @Inject Pool pg;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  private final java.util.Map<String, Long> requesters =
      new java.util.concurrent.ConcurrentHashMap<>();
  private AdminButtonsStand stand;

  @BeforeEach
  void setUp() {
    stand = AdminButtonsStand.start(pg, botApi, this::decide, ADMIN);
  }

  @AfterEach
  void stopStand() throws InterruptedException {
    stand.close();
  }

  @Test
  void givenABreakGlassRequest_whenASecondAdminConfirmsFromTheAlert_thenTheCommandIsSentOnce()
      throws Exception {
    String id = breakGlassRequested("bg-alert-second", OTHER_ADMIN, "Petr");
    SentMessage alert = awaitAlert("bg-alert-second");
    assertThat(alert.buttonTexts()).containsExactly(CONFIRM);

    press(ADMIN, "Olga", alert.messageId(), data(alert, CONFIRM));
    SentMessage confirm =
        CHAT.awaitConfirmation(
            AccessTestStack.ALERTS_CHAT, "🚨 Confirm the break-glass of bg-alert-second");
    assertThat(confirm.text())
        .isEqualTo(
            "🚨 Confirm the break-glass of bg-alert-second v1.0.0 by Petr (“payments are down”)?"
                + " The release goes to production without the quorum.");
    assertThat(confirmationsOf(id)).as("nothing is sent before the confirmation").isEmpty();

    press(ADMIN, "Olga", confirm.messageId(), data(confirm, "✅ Yes, confirm"));

    CHAT.awaitText(
        AccessTestStack.ALERTS_CHAT,
        confirm.messageId(),
        "🚨 Break-glass confirmed: bg-alert-second v1.0.0 goes to production");
    assertThat(confirmationsOf(id))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.telegramUserId()).isEqualTo(ADMIN);
              assertThat(c.seenVersion()).as("the request's version").isEqualTo(2L);
            });
    // the alert says what it said, without the button: the request is no longer waiting
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> message(alert.messageId()).buttonTexts().isEmpty());
    assertThat(message(alert.messageId()).text()).isEqualTo(alert.text());
  }

  @Test
  void givenABreakGlassRequest_whenTheAdminWhoAskedConfirmsFromTheAlert_thenRefusedAndItStays()
      throws Exception {
    String id = breakGlassRequested("bg-alert-same", ADMIN, "Olga");
    SentMessage alert = awaitAlert("bg-alert-same");

    press(ADMIN, "Olga", alert.messageId(), data(alert, CONFIRM));
    SentMessage confirm =
        CHAT.awaitConfirmation(
            AccessTestStack.ALERTS_CHAT, "🚨 Confirm the break-glass of bg-alert-same");
    String yes = press(ADMIN, "Olga", confirm.messageId(), data(confirm, "✅ Yes, confirm"));

    await().atMost(Duration.ofSeconds(15)).until(() -> answer(yes) != null);
    assertThat(answer(yes))
        .isEqualTo(
            "⛔ Not allowed: only another admin may confirm a break-glass, not the one who asked"
                + " for it");
    assertThat(confirmationsOf(id)).hasSize(1);
    assertThat(message(alert.messageId()).buttonTexts())
        .as("another admin may still confirm from the alert")
        .containsExactly(CONFIRM);
  }

  // ---------------------------------------------------------------- helpers

  /**
   * A release of {@code service} in manual testing whose approval {@code requester} forced: its row
   * in the read model (version 2, awaiting a second admin) and its events in the log (a status
   * change, then the request), which the gateway's log reader turns into the alert.
   */
  private String breakGlassRequested(String service, long requester, String requesterName)
      throws Exception {
    Instant now = Instant.now();
    Instant until = now.plus(Duration.ofMinutes(15));
    String breakGlass =
        "{\"requests\": 1, \"confirmations\": 0, \"expiries\": 0, \"requested_by\": "
            + requester
            + ", \"requested_by_name\": \""
            + requesterName
            + "\", \"reason\": \"payments are down\", \"state\": \"awaiting\","
            + " \"requested_at\": \""
            + now
            + "\", \"expires_at\": \""
            + until
            + "\"}";
    String id =
        stand.release(
            AdminReleaseRow.of(service, "manual_testing", 2)
                .administeredBy(ADMIN, OTHER_ADMIN)
                .withBreakGlass(breakGlass));
    requesters.put(id, requester);
    Actor actor = Actor.telegram(requester, requesterName);
    try (KafkaProducer<String, byte[]> producer = ReadModelRows.producer(bootstrap)) {
      byte[] first =
          ReadModelRows.append(
              producer,
              AccessTestStack.EVENTS,
              event(
                  id,
                  1,
                  actor,
                  new ReleaseEvent.StatusChanged(
                      ReleaseStatus.STAGE_TEST_ROLLBACK, ReleaseStatus.MANUAL_TESTING, null)),
              null);
      ReadModelRows.append(
          producer,
          AccessTestStack.EVENTS,
          event(
              id,
              2,
              actor,
              new ReleaseEvent.BreakGlassRequested(
                  requester, requesterName, "payments are down", "v1.0.0", "abc1234", until, 1L)),
          first);
    }
    return id;
  }

  private static EventEnvelope event(String id, long sequence, Actor actor, ReleaseEvent data) {
    return new EventEnvelope(
        UUID.randomUUID().toString(), id, sequence, Instant.now(), actor, null, null, null, data);
  }

  /** The break-glass request's alert of {@code service} in the alerts chat. */
  private static SentMessage awaitAlert(String service) {
    await().atMost(Duration.ofSeconds(30)).until(() -> requestAlert(service) != null);
    return requestAlert(service);
  }

  private static SentMessage requestAlert(String service) {
    return botApi.messages(AccessTestStack.ALERTS_CHAT).stream()
        .filter(m -> m.text().contains("forces the approval") && m.text().contains(service))
        .findFirst()
        .orElse(null);
  }

  private static SentMessage message(int messageId) {
    return CHAT.message(AccessTestStack.ALERTS_CHAT, messageId);
  }

  /** Presses a button in the alerts chat; returns the callback query's id. */
  private static String press(long user, String name, int messageId, String data) {
    return CHAT.pressIn(AccessTestStack.ALERTS_CHAT, user, name, "en", messageId, data);
  }

  private static String answer(String callbackQueryId) {
    return CHAT.answer(callbackQueryId);
  }

  private static String data(SentMessage m, String buttonText) {
    for (JsonNode row : m.replyMarkup().path("inline_keyboard")) {
      for (JsonNode b : row) {
        if (b.path("text").asText().equals(buttonText)) {
          return b.path("callback_data").asText();
        }
      }
    }
    throw new AssertionError("no button " + buttonText + " on " + m);
  }

  private List<ReleaseCommand.ConfirmBreakGlass> confirmationsOf(String releaseId) {
    return stand.received(ReleaseCommand.ConfirmBreakGlass.class, releaseId);
  }

  /**
   * Answers the gateway's commands as release-api's decider would: a confirmation by the admin who
   * asked is refused, by another admin accepted (the quorum follows).
   */
  private void decide(ReleaseCommand command, ObjectNode n) {
    if (command instanceof ReleaseCommand.ConfirmBreakGlass b
        && b.telegramUserId() != requesters.getOrDefault(b.releaseId(), -1L)) {
      n.put("outcome", "accepted");
      n.put("status", "manual_test_passed");
      n.put("version", 4);
      n.putArray("events")
          .add(ReleaseEvent.BreakGlassConfirmed.TYPE)
          .add(ReleaseEvent.ApprovalQuorumReached.TYPE);
    } else {
      n.put("outcome", "refused");
      n.put("status", "manual_testing");
      n.put("reason", "not_allowed");
      n.put("detail", "Olga forced this approval and may not confirm it; a second admin must");
      n.putArray("events").add(ReleaseEvent.ActionRefused.TYPE);
    }
  }
}
