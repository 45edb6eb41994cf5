package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.FakeBotApi.SentMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Telegram side of a release, through the four packaged services and a fake Bot API server that
 * records every request: the team chat's live card and notices, approvals with confirmation, a
 * rejection with its reason, a rollback picked from earlier tags, and every kind of bad press.
 * Users are "Alice QA" (1001, approver), "Bob Lead" (1002, approver and admin), "Carol Dev" (1003,
 * approver of the service trio only; an admin of the others in {@link FakesStack}'s policy) and
 * Mallory (4242, in the team chat, nobody in any policy).
 */
@Order(FakesStack.ORDER)
class TelegramFlowTest {

  static final long TEAM = FakesStack.TEAM;
  static final long ALICE = 1001;
  static final long BOB = 1002;
  static final long CAROL = 1003;
  static final long MALLORY = 4242;
  static final Duration PATIENCE = Duration.ofSeconds(30);

  /** The service trio needs all three of its approvers; every other service the demo policy. */
  @RegisterExtension static final StackExtension stack = FakesStack.extension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger UPDATE_IDS = new AtomicInteger(10_000);

  @Test
  void givenManualTesting_whenTwoApproversConfirmInTheTeamChat_thenQuorumAndOneLiveCardEdited() {
    String id = release("billing", "v2.0.0", "201");

    SentMessage card = liveCard("billing", "v2.0.0", "Manual testing");
    JsonNode notice = sent(TEAM, t -> t.contains("billing v2.0.0 is ready for manual testing"));
    assertThat(notice.path("text").asText())
        .endsWith("Approvals needed (2 of 2): Alice QA, Bob Lead");
    assertThat(notice.path("entities").findValuesAsText("type"))
        .containsExactly("text_mention", "text_mention");
    assertThat(notice.path("entities").findValues("user"))
        .extracting(u -> u.path("id").asLong())
        .containsExactly(ALICE, BOB);

    assertThat(approve(ALICE, "Alice", card)).isEqualTo("✅ Your approval is counted (1/2)");
    assertThat(approve(BOB, "Bob", card))
        .isEqualTo("✅ All approvals collected, production deploy is starting");

    await().atMost(PATIENCE).until(() -> "manual_test_passed".equals(status(id)));
    await()
        .atMost(PATIENCE)
        .until(() -> message(TEAM, card.messageId()).text().contains("Manual testing passed"));
    assertThat(message(TEAM, card.messageId()).text())
        .contains("✅ Approved so far (2/2): Alice QA, Bob Lead");
    // one card per release: every change after the first was an edit of the same message
    assertThat(sentTexts(TEAM, t -> t.startsWith("📦 Service: billing\n🏷️ Tag: v2.0.0")))
        .hasSize(1);
    assertThat(editsOf(TEAM, card.messageId())).isGreaterThanOrEqualTo(2);
    // each confirmed press is its own trace, carried by the command into the events it caused
    List<JsonNode> approvals = pipeline.events(id, "release.approval-granted.v1");
    String aliceTrace = approvals.get(0).path("trace_id").asText();
    String bobTrace = approvals.get(1).path("trace_id").asText();
    assertThat(aliceTrace).matches("[0-9a-f]{32}").isNotEqualTo(bobTrace);
    assertThat(lastEvent(id, "release.quorum-reached.v1").path("trace_id").asText())
        .isEqualTo(bobTrace);

    step(id, "deploying");
    step(id, "deployed");
    sent(TEAM, t -> t.equals("🎉 billing v2.0.0 is in production!"));
    assertThat(approvalCount(id)).isEqualTo(2);
  }

  @Test
  void givenARejection_thenTheReasonIsAskedConfirmedAndShownOnTheCard() {
    String id = release("shop", "v1.0.0", "301");
    SentMessage card = liveCard("shop", "v1.0.0", "Manual testing");

    String asked = press(BOB, "Bob", TEAM, card.messageId(), card.button("❌ Reject"));
    assertThat(answerTo(asked).path("text").asText("")).isEmpty();
    JsonNode prompt = sent(TEAM, t -> t.startsWith("✍️ Bob, reply to this message"));
    assertThat(prompt.at("/reply_markup/force_reply").asBoolean()).isTrue();

    FakesStack.BOT_API.push(
        FakesStack.BOT_API.groupMessage(
            UPDATE_IDS.incrementAndGet(), TEAM, BOB, "Bob", "en", "Checkout is broken"));
    SentMessage confirm =
        awaitMessage(
            TEAM, m -> m.text().equals("Reject shop v1.0.0 with the reason “Checkout is broken”?"));
    String yes = press(BOB, "Bob", TEAM, confirm.messageId(), confirm.button("❌ Yes, reject"));
    assertThat(answerTo(yes).path("text").asText()).isEqualTo("❌ Release shop v1.0.0 is rejected");

    await().atMost(PATIENCE).until(() -> "manual_test_failed".equals(status(id)));
    assertThat(api().get("/api/v1/releases/" + id).body().path("rejection_reason").asText())
        .isEqualTo("Checkout is broken");
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                message(TEAM, card.messageId())
                    .text()
                    .contains("💬 Rejection reason: Checkout is broken"));
    sent(TEAM, t -> t.equals("❌ shop v1.0.0 was rejected by Bob Lead: Checkout is broken"));
    assertThat(message(TEAM, confirm.messageId()).text())
        .isEqualTo("❌ Release shop v1.0.0 is rejected");
  }

  @Test
  void givenBadPresses_thenEachIsRefusedClearlyAndNothingIsDecidedTwice() {
    String id = release("api", "v3.0.0", "401");
    String other = release("api-other", "v3.0.1", "402");
    SentMessage card = liveCard("api", "v3.0.0", "Manual testing");
    String approveData = card.button("✅ Approve");

    // somebody in the team chat who is not an approver: refused at once, and the attempt is in
    // the log
    FakesStack.BOT_API.chatMember(TEAM, MALLORY, "member");
    JsonNode refused = answerTo(press(MALLORY, "Mallory", TEAM, card.messageId(), approveData));
    assertThat(refused.path("show_alert").asBoolean()).isTrue();
    assertThat(refused.path("text").asText()).startsWith("⛔ Not allowed:");
    await().atMost(PATIENCE).until(() -> timelineTypes(id).contains("release.action-refused.v1"));
    JsonNode audit = lastEvent(id, "release.action-refused.v1");
    assertThat(audit.at("/actor/id").asText()).isEqualTo(Long.toString(MALLORY));

    // a button altered to point at another release: refused, nothing written
    int before = timelineTypes(other).size();
    String forged = approveData.replace(id, other);
    JsonNode forgedAnswer = answerTo(press(ALICE, "Alice", TEAM, card.messageId(), forged));
    assertThat(forgedAnswer.path("text").asText()).startsWith("⚠️ This button is not rmm's");
    assertThat(timelineTypes(other)).hasSize(before);

    // Telegram delivering the same update twice: handled once
    String refresh =
        FakesStack.BOT_API.callback(
            UPDATE_IDS.incrementAndGet(),
            ALICE,
            "Alice",
            "en",
            TEAM,
            card.messageId(),
            card.button("🔄 Refresh"));
    FakesStack.BOT_API.push(refresh);
    FakesStack.BOT_API.push(refresh);
    String refreshId = callbackId(refresh);
    answerTo(refreshId);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(PATIENCE)
        .until(() -> answers(refreshId).size() == 1);

    // a confirmation answered after the release moved on: the card was stale, nothing approved
    press(ALICE, "Alice", TEAM, card.messageId(), approveData);
    SentMessage confirm = awaitMessage(TEAM, m -> m.text().startsWith("Approve api v3.0.0?"));
    assertThat(
            api()
                .post("/api/v1/releases/" + id + "/cancel", "{\"reason\":\"superseded\"}")
                .status())
        .isEqualTo(200);
    JsonNode stale =
        answerTo(press(ALICE, "Alice", TEAM, confirm.messageId(), confirm.button("✅ Yes")));
    assertThat(stale.path("text").asText())
        .startsWith("🔄 The card was out of date: the release is now “🚫 Cancelled”");
    assertThat(approvalCount(id)).isZero();
    await()
        .atMost(PATIENCE)
        .until(() -> message(TEAM, card.messageId()).text().contains("🚫 Cancelled"));

    // the same confirmation pressed again: already used
    JsonNode again =
        answerTo(press(ALICE, "Alice", TEAM, confirm.messageId(), confirm.button("✅ Yes")));
    assertThat(again.path("text").asText()).startsWith("⌛");
  }

  @Test
  void givenThreeApproversConfirmingAtOnce_thenOneQuorumAndEveryCounterRight() {
    String id = release("trio", "v1.0.0", "501");
    SentMessage card = liveCard("trio", "v1.0.0", "Manual testing");
    List<String> yes = new ArrayList<>();
    for (long user : List.of(ALICE, BOB, CAROL)) {
      String name = "U" + user;
      press(user, name, TEAM, card.messageId(), card.button("✅ Approve"));
      SentMessage confirm =
          awaitMessage(
              TEAM,
              m ->
                  m.text().startsWith("Approve trio v1.0.0?")
                      && yes.stream().noneMatch(y -> y.endsWith(":" + m.messageId()))
                      && m.replyMarkup() != null);
      yes.add(confirm.button("✅ Yes") + ":" + confirm.messageId());
    }
    // the three "yes" presses arrive in one batch of updates and are handled in parallel
    List<String> ids = new ArrayList<>();
    List<Long> users = List.of(ALICE, BOB, CAROL);
    for (int i = 0; i < 3; i++) {
      String[] dataAndMessage = yes.get(i).split(":(?=[0-9]+$)");
      String update =
          FakesStack.BOT_API.callback(
              UPDATE_IDS.incrementAndGet(),
              users.get(i),
              "U" + users.get(i),
              "en",
              TEAM,
              Integer.parseInt(dataAndMessage[1]),
              dataAndMessage[0]);
      ids.add(callbackId(update));
      FakesStack.BOT_API.push(update);
    }
    Set<String> texts =
        ids.stream().map(c -> answerTo(c).path("text").asText()).collect(Collectors.toSet());
    assertThat(texts)
        .containsExactlyInAnyOrder(
            "✅ Your approval is counted (1/3)",
            "✅ Your approval is counted (2/3)",
            "✅ All approvals collected, production deploy is starting");
    await().atMost(PATIENCE).until(() -> "manual_test_passed".equals(status(id)));
    List<String> types = timelineTypes(id);
    assertThat(types.stream().filter("release.quorum-reached.v1"::equals)).hasSize(1);
    assertThat(types.stream().filter("release.approval-granted.v1"::equals)).hasSize(3);
  }

  @Test
  void givenAnAdmin_whenCancellingFromTheCard_thenTheReasonIsAskedAndTheCancelledListShowsIt() {
    String id = release("gone", "v1.0.0", "801");
    SentMessage card = liveCard("gone", "v1.0.0", "Manual testing");

    // Alice approves but is no admin: refused, and nothing is asked
    JsonNode notAdmin =
        answerTo(press(ALICE, "Alice", TEAM, card.messageId(), card.button("🚫 Cancel release")));
    assertThat(notAdmin.path("text").asText()).startsWith("⛔ Not allowed:");
    assertThat(notAdmin.path("show_alert").asBoolean()).isTrue();

    String asked = press(BOB, "Bob", TEAM, card.messageId(), card.button("🚫 Cancel release"));
    assertThat(answerTo(asked).path("text").asText("")).isEmpty();
    JsonNode prompt =
        sent(
            TEAM,
            t -> t.startsWith("✍️ Bob, reply to this message with the reason for cancelling"));
    assertThat(prompt.at("/reply_markup/force_reply").asBoolean()).isTrue();
    FakesStack.BOT_API.push(
        FakesStack.BOT_API.groupMessage(
            UPDATE_IDS.incrementAndGet(), TEAM, BOB, "Bob", "en", "Not needed: $(reboot) 'x'"));
    SentMessage confirm =
        awaitMessage(
            TEAM,
            m ->
                m.text()
                    .equals(
                        "Cancel gone v1.0.0 with the reason “Not needed: $(reboot) 'x'”? It will"
                            + " not be deployed to production."));
    String yes =
        press(BOB, "Bob", TEAM, confirm.messageId(), confirm.button("🚫 Yes, cancel the release"));
    assertThat(answerTo(yes).path("text").asText())
        .isEqualTo("🚫 Release gone v1.0.0 is cancelled");
    await().atMost(PATIENCE).until(() -> "cancelled".equals(status(id)));
    assertThat(lastEvent(id, "release.cancelled.v1").at("/data/reason").asText())
        .isEqualTo("Not needed: $(reboot) 'x'");
    assertThat(lastEvent(id, "release.cancelled.v1").at("/actor/id").asText()).isEqualTo("1002");
    await()
        .atMost(PATIENCE)
        .until(() -> message(TEAM, card.messageId()).text().contains("🚫 Cancelled"));
    assertThat(message(TEAM, card.messageId()).buttonTexts())
        .noneMatch(t -> t.startsWith("🚫 Cancel release"));

    FakesStack.BOT_API.push(
        FakesStack.BOT_API.message(UPDATE_IDS.incrementAndGet(), BOB, "Bob", "en", "/start"));
    SentMessage menu = awaitMessage(BOB, m -> m.text().startsWith("👋 Hello, Bob!"));
    answerTo(press(BOB, "Bob", BOB, menu.messageId(), menu.button("🚫 Cancelled and replaced")));
    SentMessage picker = message(BOB, menu.messageId());
    assertThat(picker.text()).isEqualTo("🚫 Cancelled and replaced: which service?");
    answerTo(press(BOB, "Bob", BOB, menu.messageId(), picker.button("gone (")));
    SentMessage shown = message(BOB, menu.messageId());
    assertThat(shown.text())
        .contains("📦 Service: gone")
        .contains("🏷️ Tag: v1.0.0")
        .contains("🚫 Cancelled");
  }

  @Test
  void givenAnAdmin_whenRollingBackFromTheSuccessfulList_thenAnEarlierTagIsPickedAndRequested() {
    release("cart", "v1.0.0", "601");
    String older = lastCreated;
    approveViaApi(older);
    step(older, "deploying");
    step(older, "deployed");
    String id = release("cart", "v1.1.0", "602");
    approveViaApi(id);
    step(id, "deploying");
    step(id, "deployed");
    await().atMost(PATIENCE).until(() -> "deployed".equals(status(id)));

    // Bob, in his private chat: /start, successful releases, page to cart v1.1.0
    FakesStack.BOT_API.push(
        FakesStack.BOT_API.message(UPDATE_IDS.incrementAndGet(), BOB, "Bob", "en", "/start"));
    SentMessage menu = awaitMessage(BOB, m -> m.text().startsWith("👋 Hello, Bob!"));
    answerTo(press(BOB, "Bob", BOB, menu.messageId(), menu.button("✅ Successful releases")));
    SentMessage services = message(BOB, menu.messageId());
    assertThat(services.text()).isEqualTo("✅ Successful releases: which service?");
    answerTo(press(BOB, "Bob", BOB, menu.messageId(), services.button("cart (")));
    SentMessage shown = message(BOB, menu.messageId());
    for (int i = 0; i < 10 && !shown.text().contains("🏷️ Tag: v1.1.0"); i++) {
      answerTo(press(BOB, "Bob", BOB, menu.messageId(), shown.button("Next ➡️")));
      shown = message(BOB, menu.messageId());
    }
    assertThat(shown.text()).contains("📦 Service: cart").contains("🏷️ Tag: v1.1.0");
    assertThat(shown.buttonTexts()).anyMatch(t -> t.startsWith("📊 "));

    // Alice is no admin
    JsonNode notAdmin = answerTo(press(ALICE, "Alice", BOB, menu.messageId(), shown.button("⏪")));
    assertThat(notAdmin.path("text").asText()).startsWith("⛔ Not allowed:");

    answerTo(press(BOB, "Bob", BOB, menu.messageId(), shown.button("⏪ Rollback")));
    SentMessage picker = awaitMessage(BOB, m -> m.text().startsWith("⏪ Roll cart (now v1.1.0)"));
    assertThat(picker.buttonTexts())
        .anyMatch(t -> t.matches("v1\\.0\\.0 · \\d\\d\\.\\d\\d\\.\\d{4} \\d\\d:\\d\\d"))
        .noneMatch(t -> t.startsWith("v1.1.0"));
    answerTo(press(BOB, "Bob", BOB, picker.messageId(), picker.button("v1.0.0")));
    SentMessage confirm = message(BOB, picker.messageId());
    assertThat(confirm.text()).isEqualTo("Roll cart back from v1.1.0 to v1.0.0?");
    JsonNode done = answerTo(press(BOB, "Bob", BOB, picker.messageId(), confirm.button("⏪ Yes")));
    assertThat(done.path("text").asText()).startsWith("⏪ Rollback of cart to v1.0.0 is requested");
    await()
        .atMost(PATIENCE)
        .until(() -> timelineTypes(id).contains("release.rollback-requested.v1"));
    assertThat(lastEvent(id, "release.rollback-requested.v1").at("/data/target_tag").asText())
        .isEqualTo("v1.0.0");
  }

  @Test
  void givenTelegramRateLimitsAndABlockedUser_thenNothingIsLostAndOthersAreServed() {
    FakesStack.BOT_API.tooManyRequests("sendMessage", 2, 1);
    release("limits", "v1.0.0", "701");
    liveCard("limits", "v1.0.0", "Manual testing");
    sent(TEAM, t -> t.contains("limits v1.0.0 is ready for manual testing"));
    assertThat(FakesStack.BOT_API.rejections("sendMessage")).anyMatch(r -> r.errorCode() == 429);

    long blocked = 7001;
    FakesStack.BOT_API.blockChat(blocked);
    FakesStack.BOT_API.push(
        FakesStack.BOT_API.message(
            UPDATE_IDS.incrementAndGet(), blocked, "Blocked", "en", "/start"));
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                FakesStack.BOT_API.rejections("sendMessage").stream()
                    .anyMatch(r -> r.errorCode() == 403));
    FakesStack.BOT_API.chatMember(TEAM, 7002, "member"); // only the team sees releases
    FakesStack.BOT_API.push(
        FakesStack.BOT_API.message(UPDATE_IDS.incrementAndGet(), 7002, "Dana", "en", "/start"));
    awaitMessage(7002, m -> m.text().startsWith("👋 Hello, Dana!"));
  }

  // ------------------------------------------------------------------ helpers

  private String lastCreated;
  private final Pipeline pipeline = new Pipeline(stack);

  private Http api() {
    return pipeline.api();
  }

  private String release(String service, String tag, String run) {
    lastCreated = pipeline.toManualTesting(service, tag, run);
    return lastCreated;
  }

  private void step(String id, String status) {
    pipeline.step(id, status);
  }

  private void approveViaApi(String id) {
    pipeline.approve(id, ALICE, BOB);
  }

  private String status(String id) {
    return pipeline.status(id);
  }

  private List<String> timelineTypes(String id) {
    return pipeline.types(id);
  }

  private JsonNode lastEvent(String id, String type) {
    List<JsonNode> found = pipeline.events(id, type);
    assertThat(found).as(type + " in the timeline of " + id).isNotEmpty();
    return found.get(found.size() - 1);
  }

  private long approvalCount(String id) {
    return pipeline.count(id, "release.approval-granted.v1");
  }

  /** The team chat's live card of a release, once it shows the status. */
  private SentMessage liveCard(String service, String tag, String statusWords) {
    return awaitMessage(
        TEAM,
        m ->
            m.text().startsWith("📦 Service: " + service + "\n🏷️ Tag: " + tag + "\n")
                && m.text().contains(statusWords));
  }

  private SentMessage awaitMessage(long chat, Predicate<SentMessage> wanted) {
    await()
        .atMost(PATIENCE)
        .until(() -> FakesStack.BOT_API.messages(chat).stream().anyMatch(wanted));
    List<SentMessage> all = FakesStack.BOT_API.messages(chat);
    return all.stream().filter(wanted).reduce((a, b) -> b).orElseThrow();
  }

  private SentMessage message(long chat, int messageId) {
    return FakesStack.BOT_API.messages(chat).stream()
        .filter(m -> m.messageId() == messageId)
        .findFirst()
        .orElseThrow();
  }

  /** A sendMessage request to a chat whose text matches, as Telegram received it. */
  private JsonNode sent(long chat, Predicate<String> text) {
    await().atMost(PATIENCE).until(() -> !sentCalls(chat, text).isEmpty());
    return sentCalls(chat, text).get(0);
  }

  private List<String> sentTexts(long chat, Predicate<String> text) {
    return sentCalls(chat, text).stream().map(n -> n.path("text").asText()).toList();
  }

  private List<JsonNode> sentCalls(long chat, Predicate<String> text) {
    return FakesStack.BOT_API.calls("sendMessage").stream()
        .map(FakeBotApi::json)
        .filter(n -> n.path("chat_id").asText().equals(Long.toString(chat)))
        .filter(n -> text.test(n.path("text").asText()))
        .toList();
  }

  private long editsOf(long chat, int messageId) {
    return FakesStack.BOT_API.calls("editMessageText").stream()
        .map(FakeBotApi::json)
        .filter(n -> n.path("chat_id").asText().equals(Long.toString(chat)))
        .filter(n -> n.path("message_id").asInt() == messageId)
        .count();
  }

  /** Presses Approve on a card, then "yes" on the confirmation; returns the answer's text. */
  private String approve(long user, String name, SentMessage card) {
    String tag = card.text().lines().skip(1).findFirst().orElseThrow().replace("🏷️ Tag: ", "");
    int known = FakesStack.BOT_API.messages(TEAM).size();
    answerTo(press(user, name, TEAM, card.messageId(), card.button("✅ Approve")));
    SentMessage confirm =
        awaitMessage(
            TEAM,
            m ->
                m.text().startsWith("Approve ")
                    && m.text().contains(" " + tag + "?")
                    && m.replyMarkup() != null
                    && FakesStack.BOT_API.messages(TEAM).indexOf(m) >= known);
    return answerTo(press(user, name, TEAM, confirm.messageId(), confirm.button("✅ Yes")))
        .path("text")
        .asText();
  }

  private String press(long user, String name, long chat, int messageId, String data) {
    String update =
        FakesStack.BOT_API.callback(
            UPDATE_IDS.incrementAndGet(), user, name, "en", chat, messageId, data);
    FakesStack.BOT_API.push(update);
    return callbackId(update);
  }

  private static String callbackId(String update) {
    try {
      return JSON.readTree(update).at("/callback_query/id").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode answerTo(String callbackId) {
    await().atMost(PATIENCE).until(() -> !answers(callbackId).isEmpty());
    return answers(callbackId).get(0);
  }

  private List<JsonNode> answers(String callbackId) {
    return FakesStack.BOT_API.calls("answerCallbackQuery").stream()
        .map(FakeBotApi::json)
        .filter(n -> n.path("callback_query_id").asText().equals(callbackId))
        .toList();
  }
}
