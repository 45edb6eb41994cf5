package dev.rmm.gateway.outage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.gateway.Screens;
import dev.rmm.gateway.Texts;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.access.Viewers;
import dev.rmm.gateway.bot.Replies;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.RedisTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.meta.api.objects.message.Message;

/**
 * F13 (docs/reliability.md): Telegram takes the answer to a button press only for a short while
 * (then "query is too old"), and an outage of Telegram can outlast that. The answer's text was then
 * lost: the press ended with no answer and nothing else, so the user never learnt what became of
 * it. Now what the answer had to say reaches them as a message in reply to the pressed message. The
 * fake Bot API refuses late answers as Telegram does ({@link FakeBotApi#callbackQueryLifetime}).
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(FakeBotApi.Resource.class)
@WithTestResource(value = Viewers.class, initArgs = @ResourceArg(name = "ids", value = "4401"))
class LostAnswerTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  private static final long USER = 4401;

  /** Telegram's update ids only grow. */
  private static final AtomicInteger UPDATE_IDS = new AtomicInteger(44_000);

  @Inject Replies replies;

  @AfterEach
  void answersAtAnyTime() {
    botApi.callbackQueryLifetime(null);
  }

  @Test
  void givenTelegramFailingAnswersLongerThanAPressLives_whenPressed_thenItsAnswerComesAsAReply()
      throws Exception {
    // a confirmation whose token is unknown: its "Yes" is answered "expired", and nothing else
    Screens.Screen screen =
        Screens.confirmation("Approve cart v1?", "✅ Yes", "no-such-token", Language.EN);
    Message confirmation = replies.send(USER, screen.text(), screen.keyboard(), null).orElseThrow();
    String yes =
        botApi.messages(USER).stream()
            .filter(m -> m.messageId() == confirmation.getMessageId())
            .findFirst()
            .orElseThrow()
            .replyMarkup()
            .at("/inline_keyboard/0/0/callback_data")
            .asText();
    botApi.callbackQueryLifetime(Duration.ofSeconds(3));
    // answers to presses fail (Telegram's 5xx and flood control) past the press's lifetime
    botApi.failDuring(Duration.ofSeconds(4), 502, "Bad Gateway", null, "answerCallbackQuery");
    String press =
        botApi.callback(
            UPDATE_IDS.getAndIncrement(),
            USER,
            "Ann",
            "en",
            USER,
            confirmation.getMessageId(),
            yes);
    String callbackId = new ObjectMapper().readTree(press).at("/callback_query/id").asText();

    botApi.push(press);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> botApi.pressOutcome(callbackId).repliedAtNanos() != null);
    assertThat(botApi.pressOutcome(callbackId).answer())
        .as("Telegram took no answer to the press")
        .isNull();
    assertThat(botApi.messages(USER))
        .as("the answer's text, in reply to the pressed confirmation")
        .anyMatch(m -> m.text().equals(Texts.EXPIRED.in(Language.EN)));
  }
}
