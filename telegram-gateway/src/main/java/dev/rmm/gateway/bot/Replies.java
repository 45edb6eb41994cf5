package dev.rmm.gateway.bot;

import dev.rmm.gateway.access.SignedButtons;
import dev.rmm.gateway.telegram.BotClient;
import dev.rmm.gateway.telegram.BotClient.Delivery;
import dev.rmm.gateway.telegram.ShownMessages;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.meta.api.methods.AnswerCallbackQuery;
import org.telegram.telegrambots.meta.api.methods.send.SendMessage;
import org.telegram.telegrambots.meta.api.methods.send.SendPhoto;
import org.telegram.telegrambots.meta.api.methods.updatingmessages.EditMessageReplyMarkup;
import org.telegram.telegrambots.meta.api.methods.updatingmessages.EditMessageText;
import org.telegram.telegrambots.meta.api.objects.CallbackQuery;
import org.telegram.telegrambots.meta.api.objects.InputFile;
import org.telegram.telegrambots.meta.api.objects.LinkPreviewOptions;
import org.telegram.telegrambots.meta.api.objects.ReplyParameters;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.ReplyKeyboard;

/**
 * Sends, edits and answers for the bot's handlers, through the {@link BotClient} of the connected
 * bot; every button it shows is signed ({@link SignedButtons}). Texts are plain (no parse mode), so
 * nothing from users or pipelines needs escaping. Messages and card edits outlast an outage of
 * Telegram ({@link Delivery#PATIENT}); the answer to a press is given up after a few seconds, as
 * Telegram no longer takes it ("query is too old"), and what it had to say is then sent as a
 * message in reply to the pressed message ({@link #answer(CallbackQuery, String, boolean)}).
 */
@ApplicationScoped
public class Replies {

  private static final Logger LOG = Logger.getLogger(Replies.class);

  /** Telegram's limit for the text of a callback answer. */
  static final int MAX_ANSWER = 200;

  /** The answer for an edit not sent, as the message already shows it. */
  private static final BotClient.Reply<?> UNCHANGED =
      new BotClient.Reply<>(null, 0, "the message shows this already: not sent");

  private volatile BotClient bot;

  private final SignedButtons buttons;
  private final ShownMessages shown;

  Replies(SignedButtons buttons, ShownMessages shown) {
    this.buttons = buttons;
    this.shown = shown;
  }

  /** Called once Telegram is configured. */
  public void connect(BotClient client) {
    this.bot = client;
  }

  public Optional<BotClient> bot() {
    return Optional.ofNullable(bot);
  }

  /** A new message; empty when Telegram refused it (blocked, chat gone). */
  public Optional<Message> send(long chatId, String text, ReplyKeyboard keyboard, Integer replyTo) {
    if (keyboard instanceof InlineKeyboardMarkup inline) {
      buttons.sign(inline);
    }
    SendMessage.SendMessageBuilder<?, ?> m =
        SendMessage.builder()
            .chatId(chatId)
            .text(text)
            .linkPreviewOptions(LinkPreviewOptions.builder().isDisabled(true).build())
            .replyMarkup(keyboard);
    if (replyTo != null) {
      m.replyParameters(
          ReplyParameters.builder().messageId(replyTo).allowSendingWithoutReply(true).build());
    }
    Optional<Message> sent = Optional.ofNullable(bot.call(m.build(), Delivery.PATIENT).result());
    if (sent.isPresent() && (keyboard == null || keyboard instanceof InlineKeyboardMarkup)) {
      shown.remember(chatId, sent.get().getMessageId(), text, (InlineKeyboardMarkup) keyboard);
    }
    return sent;
  }

  /**
   * A photo with its caption (plain text, at most 1024 characters); false when Telegram refused it.
   */
  public boolean sendPhoto(long chatId, byte[] png, String fileName, String caption) {
    SendPhoto photo =
        SendPhoto.builder()
            .chatId(chatId)
            .photo(new InputFile(new ByteArrayInputStream(png), fileName))
            .caption(caption)
            .build();
    return bot.call(photo, Delivery.PATIENT).ok();
  }

  /**
   * Edits a message in place; "not modified" counts as done, and an edit to what the message is
   * known to show already is not sent ({@link ShownMessages}).
   */
  public BotClient.Reply<?> edit(
      long chatId, int messageId, String text, InlineKeyboardMarkup keyboard) {
    buttons.sign(keyboard);
    if (shown.shows(chatId, messageId, text, keyboard)) {
      return UNCHANGED;
    }
    BotClient.Reply<?> edited =
        bot.call(
            EditMessageText.builder()
                .chatId(chatId)
                .messageId(messageId)
                .text(text)
                .linkPreviewOptions(LinkPreviewOptions.builder().isDisabled(true).build())
                .replyMarkup(keyboard)
                .build(),
            Delivery.PATIENT);
    if (edited.ok()) {
      shown.remember(chatId, messageId, text, keyboard);
    } else {
      shown.forget(chatId, messageId);
    }
    return edited;
  }

  /**
   * Takes the buttons off a message and leaves its text as it is: an alert whose action was taken
   * (or can no longer be) keeps what it announced, only without the button.
   */
  public BotClient.Reply<?> dropButtons(long chatId, int messageId) {
    BotClient.Reply<?> edited =
        bot.call(
            EditMessageReplyMarkup.builder().chatId(chatId).messageId(messageId).build(),
            Delivery.PATIENT);
    shown.forget(chatId, messageId);
    return edited;
  }

  /**
   * Ends the button's spinner; a non-empty text shows as a toast, or an alert when it matters. For
   * an answer with nothing else to say (the press's outcome is a message or an edit of its own), or
   * whose text the pressed message already shows, or to a press not to be given a message (a
   * stranger's, a forged button).
   *
   * @return whether Telegram took the answer
   */
  public boolean answer(String callbackQueryId, String text, boolean alert) {
    AnswerCallbackQuery.AnswerCallbackQueryBuilder<?, ?> a =
        AnswerCallbackQuery.builder().callbackQueryId(callbackQueryId);
    if (text != null && !text.isEmpty()) {
      a.text(text.length() > MAX_ANSWER ? text.substring(0, MAX_ANSWER - 1) + "…" : text);
      a.showAlert(alert);
    }
    return bot.call(a.build(), Delivery.INTERACTIVE).ok();
  }

  /**
   * Answers a press whose answer says what became of it (refused, expired, no answer from rmm). A
   * press lives only a short while: when Telegram did not take the answer (an outage or a flood
   * wait outlasting it, or the query already too old: F13 in docs/reliability.md), the text is sent
   * as a message in reply to the pressed message instead, so the user still learns it. In a group
   * it names the user, as the whole chat sees it.
   */
  public void answer(CallbackQuery q, String text, boolean alert) {
    if (answer(q.getId(), text, alert)
        || text == null
        || text.isEmpty()
        || q.getMessage() == null
        || Thread.currentThread().isInterrupted()) {
      return;
    }
    long chatId = q.getMessage().getChatId();
    boolean group = q.getFrom() != null && chatId != q.getFrom().getId();
    LOG.infof(
        "The answer to callback query %s was not delivered; it is sent to chat %d as a message",
        q.getId(), chatId);
    send(
        chatId,
        group ? q.getFrom().getFirstName() + ": " + text : text,
        null,
        q.getMessage().getMessageId());
  }
}
