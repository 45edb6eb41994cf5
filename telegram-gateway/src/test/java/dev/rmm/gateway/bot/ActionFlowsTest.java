package dev.rmm.gateway.bot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.contracts.CommandResult;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.readmodel.Dispatch;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.gateway.GatewayConfig;
import dev.rmm.gateway.ReleaseRows;
import dev.rmm.gateway.Screens;
import dev.rmm.gateway.Stubs;
import dev.rmm.gateway.Texts;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.access.RefusalsForTests;
import dev.rmm.gateway.card.CallbackData;
import dev.rmm.gateway.card.ReleaseCard.Card;
import dev.rmm.gateway.card.StatusTexts;
import dev.rmm.gateway.commands.ScriptedCommandClient;
import dev.rmm.gateway.releases.ReleasesInMemory;
import dev.rmm.gateway.telegram.BotClient;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.inject.Vetoed;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.meta.api.objects.CallbackQuery;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.ReplyKeyboard;

/**
 * ActionFlows alone, in the given / when / then style of giftcard-demo's GiftCardTest: given what
 * the read model shows and what release-api will answer, when a user presses a card's button (and
 * confirms), then what the user reads and which command goes to release-api. The read model,
 * release-api and Telegram are fakes that record; Sessions and Refusals are the real classes over
 * an in-memory Redis. The end-to-end path (a real broker, Postgres, Redis) stays with AccessTest,
 * BreakGlassButtonTest and the deploy/e2e flows.
 */
class ActionFlowsTest {

  private static final Language EN = Language.EN;
  private static final long CHAT = -100;
  private static final int CARD_MESSAGE = 10;
  private static final long ALICE = 1001;
  private static final long ADMIN = 9001;
  private static final long EVE = 6666;
  private static final ObjectMapper TELEGRAM =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final GatewayConfig config = Stubs.config();
  private final RedisDataSource redis = Stubs.redis();
  private final ReleasesInMemory readModel = new ReleasesInMemory();
  private final ScriptedCommandClient releaseApi = new ScriptedCommandClient(config);
  private final TelegramChat telegram = new TelegramChat();
  private final RefreshedCards cards = new RefreshedCards(readModel, config);
  private final ActionFlows flows =
      new ActionFlows(
          new Sessions(redis, config),
          readModel,
          cards,
          telegram,
          releaseApi,
          RefusalsForTests.of(redis, telegram, releaseApi, cards, config),
          config);
  private int queries;

  @Test
  void givenAManualTestingRelease_whenAnApproverPressesApprove_thenTheyAreAskedToConfirm() {
    readModel.show(release("manual_testing", null));

    flows.pressed(press(ALICE, CallbackData.Action.APPROVE, 7), approve(7), EN);

    assertThat(telegram.sent).hasSize(1);
    assertThat(telegram.sent.get(0).text())
        .isEqualTo(Texts.CONFIRM_APPROVE.in(EN, "billing", "v1.4.0"));
    assertThat(confirmToken(telegram.sent.get(0).keyboard())).isNotBlank();
    assertThat(releaseApi.sent()).isEmpty();
  }

  @Test
  void givenAConfirmation_whenReleaseApiCountsTheQuorum_thenTheApproverReadsItAndTheCardIsRedrawn()
      throws IOException {
    readModel.show(release("manual_testing", null));
    flows.pressed(press(ALICE, CallbackData.Action.APPROVE, 7), approve(7), EN);
    String token = confirmToken(telegram.sent.get(0).keyboard());
    releaseApi.willAnswer(
        accepted(9, ReleaseEvent.ApprovalGranted.TYPE, ReleaseEvent.ApprovalQuorumReached.TYPE));

    flows.confirm(press(ALICE, Screens.CONFIRM + token), token, EN);

    assertThat(releaseApi.sent())
        .singleElement()
        .isInstanceOfSatisfying(
            ReleaseCommand.Approve.class, a -> assertThat(a.seenVersion()).isEqualTo(7L));
    // the confirmation message shows the decision, and the card the version release-api named
    assertThat(telegram.edits).containsExactly(Texts.ALL_APPROVED.in(EN));
    assertThat(telegram.answers).contains(Texts.ALL_APPROVED.in(EN));
    assertThat(cards.redrawn).containsExactly("r-1@9");
  }

  @Test
  void givenATokenAlreadyConfirmed_whenYesIsPressedAgain_thenNothingIsSentTwice()
      throws IOException {
    readModel.show(release("manual_testing", null));
    flows.pressed(press(ALICE, CallbackData.Action.APPROVE, 7), approve(7), EN);
    String token = confirmToken(telegram.sent.get(0).keyboard());
    releaseApi.willAnswer(accepted(8, ReleaseEvent.ApprovalGranted.TYPE));
    flows.confirm(press(ALICE, Screens.CONFIRM + token), token, EN);

    flows.confirm(press(ALICE, Screens.CONFIRM + token), token, EN);

    assertThat(releaseApi.sent()).hasSize(1);
    assertThat(telegram.answers).contains(Texts.EXPIRED.in(EN));
  }

  @Test
  void givenSomeoneElsesConfirmation_whenAnotherUserPressesYes_thenItIsRefusedAsNotTheirs() {
    readModel.show(release("manual_testing", null));
    flows.pressed(press(ALICE, CallbackData.Action.APPROVE, 7), approve(7), EN);
    String token = confirmToken(telegram.sent.get(0).keyboard());

    flows.confirm(press(EVE, Screens.CONFIRM + token), token, EN);

    assertThat(releaseApi.sent()).isEmpty();
    assertThat(telegram.answers).contains(Texts.NOT_YOURS.in(EN, "Alice"));
  }

  @Test
  void givenSomeoneWhoMayNotApprove_whenTheyPressTwice_thenOnlyTheFirstGoesToReleaseApi()
      throws IOException {
    readModel.show(release("manual_testing", null));
    releaseApi.willAnswer(refused("not_allowed", "user 6666 is not an approver of billing"));
    String notAllowed = Texts.REFUSED_NOT_ALLOWED.in(EN, Texts.ONLY_APPROVERS.in(EN));

    flows.pressed(press(EVE, CallbackData.Action.APPROVE, 7), approve(7), EN);
    flows.pressed(press(EVE, CallbackData.Action.APPROVE, 7), approve(7), EN);

    // release-api records the first refusal (the audit log); the second is the gateway's own
    assertThat(releaseApi.sent()).hasSize(1);
    assertThat(telegram.answers).containsExactly(notAllowed, notAllowed);
    assertThat(telegram.sent).isEmpty();
  }

  @Test
  void givenADeployedRelease_whenAnOldCardsApproveIsPressed_thenTheCardIsRedrawnAndNothingIsSent() {
    readModel.show(release("deployed", null));

    flows.pressed(press(ALICE, CallbackData.Action.APPROVE, 7), approve(7), EN);

    assertThat(releaseApi.sent()).isEmpty();
    assertThat(cards.redrawn).containsExactly("r-1@7");
    assertThat(telegram.answers)
        .containsExactly(Texts.REFUSED_STALE.in(EN, StatusTexts.of(ReleaseStatus.DEPLOYED, EN)));
  }

  @Test
  void givenNoEarlierDeploy_whenAnAdminPressesRollback_thenTheyReadThatThereIsNoTarget() {
    readModel.show(release("deployed", null));

    flows.pressed(
        press(ADMIN, CallbackData.Action.ROLLBACK, 7),
        new CallbackData.Press(CallbackData.Action.ROLLBACK, "r-1", 7),
        EN);

    assertThat(telegram.answers).containsExactly(Texts.NO_EARLIER_TAGS.in(EN, "billing"));
    assertThat(telegram.sent).isEmpty();
    assertThat(releaseApi.sent()).isEmpty();
  }

  @Test
  void givenADispatchThatDidNotFail_whenAnAdminPressesRetry_thenNoRetryIsNeeded() {
    readModel.show(
        release(
            "manual_test_passed",
            new Dispatch(
                "d-1", "acme/billing", "deploy.yml", "v1.4.0", "dispatched", 204, null, 0, null)));

    flows.pressed(
        press(ADMIN, CallbackData.Action.RETRY_DISPATCH, 7),
        new CallbackData.Press(CallbackData.Action.RETRY_DISPATCH, "r-1", 7),
        EN);

    assertThat(releaseApi.sent()).isEmpty();
    assertThat(cards.redrawn).containsExactly("r-1@7");
    assertThat(telegram.answers)
        .containsExactly(Texts.RETRY_NOT_NEEDED.in(EN, "billing", "v1.4.0"));
  }

  @Test
  void givenARejection_whenTheApproverWritesTheReason_thenTheyConfirmTheRejectionWithIt()
      throws IOException {
    readModel.show(release("manual_testing", null));
    flows.pressed(
        press(ALICE, CallbackData.Action.REJECT, 7),
        new CallbackData.Press(CallbackData.Action.REJECT, "r-1", 7),
        EN);

    flows.onReason(message(ALICE, "login is broken"), EN);

    assertThat(telegram.sent).hasSize(2);
    assertThat(telegram.sent.get(1).text())
        .isEqualTo(Texts.CONFIRM_REJECT.in(EN, "billing", "v1.4.0", "login is broken"));
    assertThat(releaseApi.sent()).isEmpty();
  }

  @Test
  void givenReleaseApiDoesNotAnswer_whenTheApproverConfirms_thenTheyAreToldSo() {
    readModel.show(release("manual_testing", null));
    flows.pressed(press(ALICE, CallbackData.Action.APPROVE, 7), approve(7), EN);
    String token = confirmToken(telegram.sent.get(0).keyboard());

    flows.confirm(press(ALICE, Screens.CONFIRM + token), token, EN);

    assertThat(releaseApi.sent()).hasSize(1);
    assertThat(telegram.answers).contains(Texts.NO_ANSWER.in(EN));
    assertThat(cards.redrawn).isEmpty();
  }

  // --- the fixtures: a release as the read model shows it, Telegram's presses and messages ---

  /** billing v1.4.0 at version 7: Alice approves (quorum 1), ADMIN administers. */
  private static ReleaseView release(String status, Dispatch dispatch) {
    var row =
        EventCodec.mapper()
            .createObjectNode()
            .put("release_id", "r-1")
            .put("service_name", "billing")
            .put("release_tag", "v1.4.0")
            .put("status", status)
            .put("version", 7)
            .put("quorum", 1)
            .put("created_at", "2026-11-26T18:55:00Z");
    row.putArray("required_approvers").addObject().put("id", ALICE).put("name", "Alice");
    row.putArray("admins").add(ADMIN);
    if (dispatch != null) {
      row.set("dispatch", EventCodec.mapper().valueToTree(dispatch));
    }
    return ReleaseRows.view(row);
  }

  private static CallbackData.Press approve(long version) {
    return new CallbackData.Press(CallbackData.Action.APPROVE, "r-1", version);
  }

  private CallbackQuery press(long userId, CallbackData.Action action, long version) {
    return press(userId, "card:" + action + ":" + version);
  }

  /** A press of a button on the card message in the team chat. */
  private CallbackQuery press(long userId, String data) {
    try {
      return TELEGRAM.readValue(
          "{\"id\":\"q-"
              + (++queries)
              + "\",\"from\":"
              + user(userId)
              + ",\"chat_instance\":\"c\",\"data\":"
              + TELEGRAM.writeValueAsString(data)
              + ",\"message\":{\"message_id\":"
              + CARD_MESSAGE
              + ",\"date\":1764183600,\"chat\":{\"id\":"
              + CHAT
              + ",\"type\":\"supergroup\"}}}",
          CallbackQuery.class);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Message message(long userId, String text) throws IOException {
    return TELEGRAM.readValue(
        "{\"message_id\":11,\"date\":1764183600,\"chat\":{\"id\":"
            + CHAT
            + ",\"type\":\"supergroup\"},\"from\":"
            + user(userId)
            + ",\"text\":"
            + TELEGRAM.writeValueAsString(text)
            + "}",
        Message.class);
  }

  private static String user(long id) {
    String name = id == ALICE ? "Alice" : id == ADMIN ? "Olga" : "Eve";
    return "{\"id\":" + id + ",\"is_bot\":false,\"first_name\":\"" + name + "\"}";
  }

  private static CommandResult accepted(long version, String... events) throws IOException {
    return EventCodec.mapper()
        .readValue(
            "{\"outcome\":\"accepted\",\"status\":\"manual_testing\",\"version\":"
                + version
                + ",\"approvals\":1,\"quorum\":1,\"events\":"
                + EventCodec.mapper().writeValueAsString(events)
                + ",\"release\":{\"service_name\":\"billing\",\"release_tag\":\"v1.4.0\"}}",
            CommandResult.class);
  }

  private static CommandResult refused(String reason, String detail) throws IOException {
    return EventCodec.mapper()
        .readValue(
            "{\"outcome\":\"refused\",\"reason\":\""
                + reason
                + "\",\"detail\":\""
                + detail
                + "\",\"status\":\"manual_testing\",\"version\":7}",
            CommandResult.class);
  }

  /** The token of the "yes" button of a confirmation. */
  private static String confirmToken(ReplyKeyboard keyboard) {
    return ((InlineKeyboardMarkup) keyboard)
        .getKeyboard().stream()
            .flatMap(List::stream)
            .map(b -> b.getCallbackData())
            .filter(d -> d != null && d.startsWith(Screens.CONFIRM))
            .map(d -> d.substring(Screens.CONFIRM.length()))
            .findFirst()
            .orElseThrow();
  }

  /** What the bot sends to Telegram, recorded instead of sent. */
  @Vetoed
  static final class TelegramChat extends Replies {

    record Sent(long chatId, String text, ReplyKeyboard keyboard) {}

    final List<Sent> sent = new ArrayList<>();
    final List<String> answers = new ArrayList<>();
    final List<String> edits = new ArrayList<>();

    TelegramChat() {
      super(null, null);
    }

    @Override
    public Optional<Message> send(
        long chatId, String text, ReplyKeyboard keyboard, Integer replyTo) {
      sent.add(new Sent(chatId, text, keyboard));
      return Optional.empty();
    }

    @Override
    public BotClient.Reply<?> edit(
        long chatId, int messageId, String text, InlineKeyboardMarkup keyboard) {
      edits.add(text);
      return null;
    }

    @Override
    public BotClient.Reply<?> dropButtons(long chatId, int messageId) {
      edits.add("(buttons dropped)");
      return null;
    }

    @Override
    public boolean answer(String callbackQueryId, String text, boolean alert) {
      if (text != null) {
        answers.add(text);
      }
      return true;
    }
  }

  /** Cards whose redraws are recorded as "release@version" instead of rendered. */
  @Vetoed
  static final class RefreshedCards extends Cards {

    final List<String> redrawn = new ArrayList<>();

    RefreshedCards(ReleasesInMemory reader, GatewayConfig config) {
      super(reader, config);
    }

    @Override
    public Optional<Card> current(String releaseId, long version, long chatId, Language lang) {
      redrawn.add(releaseId + "@" + version);
      return Optional.empty(); // nothing to edit: the redraw itself is what the test looks at
    }
  }
}
