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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, point 6: "🔁 Retry dispatch" on the card of a release whose production dispatch failed.
 * An admin's press asks for a confirmation, then sends {@code release.retry-dispatch.v1}; anyone
 * else is refused in their own language, the first refusal going to release-api to be recorded.
 * Real Kafka, Redis and Postgres (the read model as release-projector's migrations make it), the
 * fake Bot API; release-api is stood in for by a responder that answers the commands topic as the
 * decider would (admins only).
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(AccessTestStack.class)
class RetryDispatchButtonTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  private static final PrivateChat CHAT = new PrivateChat(() -> botApi, 7_000_001);

  @Inject Pool pg;

  private AdminButtonsStand stand;

  @BeforeEach
  void setUp() {
    // AccessTestStack's approver and admin (the releases' recorded admins would not count: a
    // retry by anyone else was refused locally); both are in the team chat, so they see the
    // releases, and only ADMIN administers them
    stand = AdminButtonsStand.start(pg, botApi, RetryDispatchButtonTest::decide, APPROVER, ADMIN);
  }

  @AfterEach
  void stopStand() throws InterruptedException {
    stand.close();
  }

  @Test
  void givenAFailedDispatch_whenTheAdminPressesRetryAndConfirms_thenTheCommandIsSentOnce()
      throws Exception {
    String id = failedDispatch("retry-admin");
    SentMessage card = CHAT.cardFor(ADMIN, "Olga", "en", id);
    assertThat(card.buttonTexts()).contains("🔁 Retry dispatch");

    CHAT.press(ADMIN, "Olga", "en", card.messageId(), card.button("🔁 Retry dispatch"));

    SentMessage confirm =
        CHAT.awaitConfirmation(ADMIN, "Retry the production dispatch of retry-admin");
    assertThat(confirm.text())
        .isEqualTo(
            "Retry the production dispatch of retry-admin v1.0.0? GitHub is checked first for a"
                + " run of the failed attempt: there will not be two deploys.");
    assertThat(retriesBy(ADMIN, id)).as("nothing is sent before the confirmation").isEmpty();

    CHAT.press(ADMIN, "Olga", "en", confirm.messageId(), confirm.button("🔁 Yes, retry"));

    CHAT.awaitText(
        ADMIN,
        confirm.messageId(),
        "🔁 A retry of the production dispatch of retry-admin v1.0.0 is requested:"
            + " the orchestrator will run it");
    assertThat(retriesBy(ADMIN, id))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.telegramUserId()).isEqualTo(ADMIN);
              assertThat(c.seenVersion()).isEqualTo(8L);
            });
  }

  @Test
  void givenAFailedDispatch_whenAnApproverWhoIsNoAdminPressesRetryTwice_thenRefusedInRussian()
      throws Exception {
    String id = failedDispatch("retry-approver");
    SentMessage card = CHAT.cardFor(APPROVER, "Анна", "ru", id);
    String retry = card.button("🔁 Повторить запуск");

    String first = CHAT.press(APPROVER, "Анна", "ru", card.messageId(), retry);
    await().atMost(Duration.ofSeconds(15)).until(() -> CHAT.answer(first) != null);
    String second = CHAT.press(APPROVER, "Анна", "ru", card.messageId(), retry);
    await().atMost(Duration.ofSeconds(15)).until(() -> CHAT.answer(second) != null);

    String refusal = "⛔ Нет прав: повторить запуск выкладки могут только администраторы";
    assertThat(CHAT.answer(first)).isEqualTo(refusal);
    assertThat(CHAT.answer(second)).isEqualTo(refusal);
    assertThat(retriesBy(APPROVER, id)).as("the first refusal is recorded, once").hasSize(1);
    assertThat(botApi.messages(APPROVER))
        .noneMatch(m -> m.text().startsWith("Повторить запуск выкладки"));
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Answers the gateway's commands as release-api's decider would: a retry by {@link #ADMIN} is
   * accepted, any other refused (not_allowed, with the decider's English detail).
   */
  private static void decide(ReleaseCommand command, ObjectNode n) {
    if (command instanceof ReleaseCommand.RetryDispatch r && r.telegramUserId() == ADMIN) {
      n.put("outcome", "accepted");
      n.put("status", "manual_test_passed");
      n.putArray("events").add(ReleaseEvent.DispatchRetryRequested.TYPE);
    } else {
      n.put("outcome", "refused");
      n.put("reason", "not_allowed");
      n.put("detail", "user is not an admin; only admins may retry a production dispatch");
      n.putArray("events").add(ReleaseEvent.ActionRefused.TYPE);
    }
  }

  private List<ReleaseCommand.RetryDispatch> retriesBy(long user, String releaseId) {
    return stand.received(ReleaseCommand.RetryDispatch.class, releaseId).stream()
        .filter(c -> c.telegramUserId() == user)
        .toList();
  }

  /**
   * A release of {@code service} in the read model whose approval passed and whose production
   * dispatch failed; {@link #APPROVER} approves it, {@link #ADMIN} administers it.
   */
  private String failedDispatch(String service) {
    return stand.release(
        AdminReleaseRow.of(service, "manual_test_passed", 8)
            .approvedBy(APPROVER, "Ann")
            .administeredBy(ADMIN)
            .withDispatch(
                "{\"id\": \"d-1\", \"repository\": \"acme/x\", \"workflow\": \"deploy.yml\","
                    + " \"ref\": \"main\", \"outcome\": \"failed\", \"http_status\": 401,"
                    + " \"detail\": \"Bad credentials\"}"));
  }
}
