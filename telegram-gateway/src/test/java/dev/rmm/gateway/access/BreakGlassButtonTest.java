package dev.rmm.gateway.access;

import static dev.rmm.gateway.access.AccessTestStack.ADMIN;
import static dev.rmm.gateway.access.AccessTestStack.APPROVER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, point 4: break-glass from the card. An admin's "🚨 Break-glass" on a release in manual
 * testing asks for a reason, then a confirmation, then sends {@code release.force-approve.v1}; the
 * card then shows the request loudly and offers "✅ Confirm break-glass", which release-api accepts
 * only from another admin. Anyone who is no admin is refused in their own language. Real Kafka,
 * Redis and Postgres (the read model as release-projector's migrations make it), the fake Bot API;
 * release-api is stood in for by a responder that answers the commands topic as the decider would.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(AccessTestStack.class)
class BreakGlassButtonTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  private static final PrivateChat CHAT = new PrivateChat(() -> botApi, 7_500_001);

  @Inject Pool pg;

  private AdminButtonsStand stand;

  @BeforeEach
  void setUp() {
    // AccessTestStack's approver and admin: the policy in force on this stack's broker names these
    // two, so a second admin cannot be shown here; the decider's two-admin rule is release-api's
    // BreakGlassTest and the orchestrator's BreakGlassDispatchTest
    stand = AdminButtonsStand.start(pg, botApi, BreakGlassButtonTest::decide, APPROVER, ADMIN);
  }

  @AfterEach
  void stopStand() throws InterruptedException {
    stand.close();
  }

  @Test
  void givenAReleaseInManualTesting_whenTheAdminForcesItWithAReason_thenTheCommandIsSentOnce()
      throws Exception {
    String id = inManualTesting("bg-admin", null);
    SentMessage card = CHAT.cardFor(ADMIN, "Olga", "en", id);
    assertThat(card.buttonTexts())
        .contains("🚨 Break-glass")
        .doesNotContain("✅ Confirm break-glass");

    CHAT.press(ADMIN, "Olga", "en", card.messageId(), card.button("🚨 Break-glass"));
    CHAT.awaitConfirmation(ADMIN, "✍️ Olga, reply to this message with the reason for forcing");
    botApi.push(
        botApi.message(CHAT.nextUpdateId(), ADMIN, "Olga", "en", "payments are down; hotfix"));
    SentMessage confirm = CHAT.awaitConfirmation(ADMIN, "🚨 Force the approval of bg-admin");
    assertThat(confirm.text())
        .isEqualTo(
            "🚨 Force the approval of bg-admin v1.0.0 with the reason “payments are down; hotfix”?"
                + " Another admin must confirm it within 15 minutes.");
    assertThat(forcesBy(ADMIN, id)).as("nothing is sent before the confirmation").isEmpty();

    CHAT.press(ADMIN, "Olga", "en", confirm.messageId(), confirm.button("🚨 Yes, force it"));

    CHAT.awaitText(
        ADMIN,
        confirm.messageId(),
        "🚨 Break-glass for bg-admin v1.0.0 requested: another admin must confirm"
            + " it within 15 minutes");
    assertThat(forcesBy(ADMIN, id))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.reason()).isEqualTo("payments are down; hotfix");
              assertThat(c.seenVersion()).isEqualTo(5L);
            });
  }

  @Test
  void givenAnApproverWhoIsNoAdmin_whenPressingBreakGlassTwice_thenRefusedInRussian()
      throws Exception {
    String id = inManualTesting("bg-approver", null);
    SentMessage card = CHAT.cardFor(APPROVER, "Анна", "ru", id);
    String force = card.button("🚨 Форсировать (break-glass)");

    String first = CHAT.press(APPROVER, "Анна", "ru", card.messageId(), force);
    await().atMost(Duration.ofSeconds(15)).until(() -> CHAT.answer(first) != null);
    String second = CHAT.press(APPROVER, "Анна", "ru", card.messageId(), force);
    await().atMost(Duration.ofSeconds(15)).until(() -> CHAT.answer(second) != null);

    String refusal = "⛔ Нет прав: форсировать одобрение могут только администраторы";
    assertThat(CHAT.answer(first)).isEqualTo(refusal);
    assertThat(CHAT.answer(second)).isEqualTo(refusal);
    assertThat(forcesBy(APPROVER, id)).as("the first refusal is recorded, once").hasSize(1);
  }

  @Test
  void givenABreakGlassAwaitingConfirmation_whenTheAdminWhoAskedConfirms_thenRefused()
      throws Exception {
    String id = inManualTesting("bg-same-admin", Instant.now().plus(Duration.ofMinutes(10)));
    SentMessage card = CHAT.cardFor(ADMIN, "Olga", "en", id);
    assertThat(card.text())
        .contains("🚨 BREAK-GLASS by Olga: “payments are down” — awaiting a second admin (until ");
    assertThat(card.buttonTexts())
        .contains("✅ Confirm break-glass")
        .doesNotContain("🚨 Break-glass");

    CHAT.press(ADMIN, "Olga", "en", card.messageId(), card.button("✅ Confirm break-glass"));
    SentMessage confirm =
        CHAT.awaitConfirmation(ADMIN, "🚨 Confirm the break-glass of bg-same-admin");
    String yes =
        CHAT.press(ADMIN, "Olga", "en", confirm.messageId(), confirm.button("✅ Yes, confirm"));

    await().atMost(Duration.ofSeconds(15)).until(() -> CHAT.answer(yes) != null);
    assertThat(CHAT.answer(yes))
        .isEqualTo(
            "⛔ Not allowed: only another admin may confirm a break-glass, not the one who asked"
                + " for it");
    assertThat(stand.received(ReleaseCommand.ConfirmBreakGlass.class, id)).hasSize(1);
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Answers the gateway's commands as release-api's decider would: {@link #ADMIN}'s force is
   * accepted; a confirmation by the admin who asked, and anything by someone else, refused.
   */
  private static void decide(ReleaseCommand command, ObjectNode n) {
    n.put("status", "manual_testing");
    if (command instanceof ReleaseCommand.ForceApprove f && f.telegramUserId() == ADMIN) {
      n.put("outcome", "accepted");
      n.putArray("events").add(ReleaseEvent.BreakGlassRequested.TYPE);
    } else if (command instanceof ReleaseCommand.ConfirmBreakGlass) {
      n.put("outcome", "refused");
      n.put("reason", "not_allowed");
      n.put("detail", "Olga forced this approval and may not confirm it; a second admin must");
      n.putArray("events").add(ReleaseEvent.ActionRefused.TYPE);
    } else {
      n.put("outcome", "refused");
      n.put("reason", "not_allowed");
      n.put("detail", "user is not an admin; only admins may force an approval (break-glass)");
      n.putArray("events").add(ReleaseEvent.ActionRefused.TYPE);
    }
  }

  private List<ReleaseCommand.ForceApprove> forcesBy(long user, String releaseId) {
    return stand.received(ReleaseCommand.ForceApprove.class, releaseId).stream()
        .filter(c -> c.telegramUserId() == user)
        .toList();
  }

  /**
   * A release of {@code service} in manual testing in the read model; {@link #APPROVER} approves
   * it, {@link #ADMIN} administers it. With {@code awaitingUntil}, Olga ({@link #ADMIN}) forced its
   * approval and it awaits a second admin until then.
   */
  private String inManualTesting(String service, Instant awaitingUntil) {
    String breakGlass =
        awaitingUntil == null
            ? null
            : "{\"requests\": 1, \"confirmations\": 0, \"expiries\": 0, \"requested_by\": "
                + ADMIN
                + ", \"requested_by_name\": \"Olga\", \"reason\": \"payments are down\","
                + " \"state\": \"awaiting\", \"requested_at\": \""
                + Instant.now()
                + "\", \"expires_at\": \""
                + awaitingUntil
                + "\"}";
    return stand.release(
        AdminReleaseRow.of(service, "manual_testing", 5)
            .approvedBy(APPROVER, "Ann")
            .administeredBy(ADMIN)
            .withBreakGlass(breakGlass));
  }
}
