package dev.rmm.gateway.bot;

import dev.rmm.contracts.Outcome;
import dev.rmm.gateway.GatewayConfig;
import dev.rmm.gateway.Screens;
import dev.rmm.gateway.Screens.Screen;
import dev.rmm.gateway.Texts;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.UpdateMemory;
import dev.rmm.gateway.access.Audience;
import dev.rmm.gateway.access.Refusals;
import dev.rmm.gateway.access.SignedButtons;
import dev.rmm.gateway.card.CallbackData;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.meta.api.objects.CallbackQuery;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.api.objects.User;
import org.telegram.telegrambots.meta.api.objects.message.Message;

/**
 * Handles one Telegram update, from long polling or the webhook: commands and the menu, paging
 * through release cards, and the buttons of the cards (handed to {@link ActionFlows}). An update
 * already handled (Telegram redelivers) is ignored. An update that cannot be handled now because
 * Redis (or another store) is unreachable is answered {@link Handled#RETRY}: the caller leaves it
 * unconfirmed (long polling) or answers non-2xx (webhook), so Telegram delivers it again. When the
 * store stays unavailable longer than {@code rmm.telegram.unavailable-answer-after}, the user is
 * told "temporarily unavailable, try again" instead ({@link StoreOutages}) and the update is done
 * with: a button never spins for good.
 */
@ApplicationScoped
public class UpdateHandler {

  private static final Logger LOG = Logger.getLogger(UpdateHandler.class);

  private final UpdateMemory memory;
  private final Sessions sessions;
  private final Cards cards;
  private final Replies replies;
  private final ActionFlows actions;
  private final Lists lists;
  private final Audience audience;
  private final SignedButtons buttons;
  private final Refusals refusals;
  private final Language defaultLanguage;
  private final Tracer tracer;
  private final StoreOutages outages;

  /**
   * Updates whose handling failed on a bug (not on an unavailable store): each one is a finding.
   */
  private final Counter failures;

  UpdateHandler(
      UpdateMemory memory,
      Sessions sessions,
      Cards cards,
      Replies replies,
      ActionFlows actions,
      Lists lists,
      Audience audience,
      SignedButtons buttons,
      Refusals refusals,
      GatewayConfig config,
      Tracer tracer,
      MeterRegistry meters) {
    this.tracer = tracer;
    this.failures =
        Counter.builder("rmm.telegram.update.failures")
            .description("Telegram updates whose handling failed with an unexpected error")
            .register(meters);
    this.memory = memory;
    this.sessions = sessions;
    this.cards = cards;
    this.replies = replies;
    this.actions = actions;
    this.lists = lists;
    this.audience = audience;
    this.buttons = buttons;
    this.refusals = refusals;
    this.defaultLanguage = Language.parse(config.telegram().defaultLanguage());
    this.outages = new StoreOutages(config.telegram().unavailableAnswerAfter());
  }

  /** What became of an update. */
  public enum Handled {
    /** Handled, ignored as a repeat, or refused for good: confirm it to Telegram. */
    DONE,
    /**
     * Not handled now (a store is unavailable, or it is being handled elsewhere): deliver again.
     */
    RETRY
  }

  /** Handles one update; never throws. */
  public Handled handle(Update update) {
    Integer id = update.getUpdateId();
    if (id == null) {
      LOG.warn("Ignoring an update without update_id");
      return Handled.DONE;
    }
    Optional<String> malformed = UpdateCheck.problem(update);
    if (malformed.isPresent()) {
      LOG.warnf("Ignoring update %d: %s (not as Telegram sends updates)", id, malformed.get());
      return Handled.DONE;
    }
    UpdateMemory.Claim claim;
    try {
      claim = memory.claim(id);
    } catch (RuntimeException e) {
      LOG.warnf(
          "Update %d is not handled now: Redis did not answer (%s). It stays unconfirmed and is"
              + " handled when Telegram delivers it again; check Redis.",
          id, e.getMessage());
      return Handled.RETRY;
    }
    if (claim == UpdateMemory.Claim.HANDLED) {
      LOG.debugf("Ignoring update %d: already handled", id);
      return Handled.DONE;
    }
    if (claim == UpdateMemory.Claim.BUSY) {
      LOG.infof("Update %d is being handled elsewhere; it is left for a later delivery", id);
      return Handled.RETRY;
    }
    if (!handleClaimed(update)) {
      return Handled.RETRY;
    }
    try {
      memory.handled(id);
    } catch (RuntimeException e) {
      LOG.warnf(
          "Update %d was handled, but Redis did not record it (%s): a redelivery within %d s is"
              + " put off, a later one is handled again",
          id, e.getMessage(), UpdateMemory.CLAIM.toSeconds());
    }
    return Handled.DONE;
  }

  /** False when a store was unavailable: the update is released for a later delivery. */
  private boolean handleClaimed(Update update) {
    // a new trace per press or message: the command it sends, the events it causes and the
    // services that act on them all carry it on
    Span span =
        tracer
            .spanBuilder(update.hasCallbackQuery() ? "telegram button" : "telegram message")
            .setSpanKind(SpanKind.SERVER)
            .setNoParent()
            .setAttribute("telegram.update_id", (long) update.getUpdateId())
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      if (update.hasCallbackQuery()) {
        onButton(update.getCallbackQuery());
      } else if (update.hasMessage() && update.getMessage().hasText()) {
        onText(update.getMessage());
      }
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, e.getMessage());
      if (Unavailable.is(e)) {
        if (outages.stillPatient(update.getUpdateId(), System.nanoTime())) {
          LOG.warnf(
              "Update %d was not handled: a store did not answer (%s). It is handled again when"
                  + " Telegram delivers it again.",
              update.getUpdateId(), e.getMessage());
          release(update.getUpdateId());
          return false;
        }
        return toldUnavailable(update, e);
      }
      failures.increment();
      LOG.errorf(e, "Handling update %d failed: %s", update.getUpdateId(), e.getMessage());
    } finally {
      span.end();
    }
    outages.forget(update.getUpdateId());
    return true;
  }

  /**
   * A store stayed unavailable past the patience: the user is told to try again (nothing was done)
   * and the update is done with; false when even that failed, so it is handled again later.
   */
  private boolean toldUnavailable(Update update, RuntimeException cause) {
    int id = update.getUpdateId();
    LOG.errorf(
        "Update %d was not handled: a store has not answered for %d s (%s). The user is told to"
            + " try again; check PostgreSQL (the read model, release-projector's database) and"
            + " Redis.",
        id, outages.patience().toSeconds(), cause.getMessage());
    try {
      if (update.hasCallbackQuery()) {
        CallbackQuery q = update.getCallbackQuery();
        replies.answer(q, Texts.TEMPORARILY_UNAVAILABLE.in(fallbackLanguage(q.getFrom())), true);
      } else if (update.hasMessage()) {
        Message m = update.getMessage();
        replies.send(
            m.getChatId(),
            Texts.TEMPORARILY_UNAVAILABLE.in(fallbackLanguage(m.getFrom())),
            null,
            m.getMessageId());
      }
    } catch (RuntimeException e) {
      LOG.warnf(
          "Update %d: the user could not be told either (%s); it is handled again later",
          id, e.getMessage());
      release(id);
      return false;
    }
    outages.forget(id);
    return true;
  }

  /** The user's language, without the store that may be the one that is down. */
  private Language fallbackLanguage(User user) {
    try {
      return language(user);
    } catch (RuntimeException storeDown) {
      return user == null ? defaultLanguage : Language.of(user.getLanguageCode(), defaultLanguage);
    }
  }

  private void release(int updateId) {
    try {
      memory.release(updateId);
    } catch (RuntimeException e) {
      LOG.debugf(
          "Update %d stays claimed for %d s: Redis did not answer",
          updateId, UpdateMemory.CLAIM.toSeconds());
    }
  }

  /** The user's language: their own choice, else their Telegram client's, else the default. */
  Language language(User user) {
    if (user == null) {
      return defaultLanguage;
    }
    return sessions
        .language(user.getId())
        .orElseGet(() -> Language.of(user.getLanguageCode(), defaultLanguage));
  }

  private void onText(Message m) {
    User user = m.getFrom();
    if (user == null) {
      return;
    }
    Language lang = language(user);
    String text = m.getText().strip();
    String command = commandOf(text);
    if (!command.isEmpty() && !command.equals("/cancel")) {
      Audience.Verdict may = audience.verdict(user.getId());
      if (may != Audience.Verdict.ADMITTED) {
        refusals.refuse(m.getChatId(), user, may, lang);
        return;
      }
    }
    switch (command) {
      case "/start" -> show(m.getChatId(), null, Screens.mainMenu(user.getFirstName(), lang));
      case "/lang" -> {
        String arg = text.contains(" ") ? text.substring(text.indexOf(' ') + 1).strip() : "";
        Language chosen =
            arg.isEmpty()
                ? (lang == Language.RU ? Language.EN : Language.RU)
                : Language.of(arg, lang);
        sessions.setLanguage(user.getId(), chosen);
        show(m.getChatId(), null, Screens.mainMenu(user.getFirstName(), chosen));
      }
      case "/cancel" -> actions.cancelReason(m, lang);
      case "/release" -> lists.release(m, argumentsOf(text), lang);
      case "/history" -> lists.history(m, argumentsOf(text), lang);
      case "/stats" -> lists.stats(m, argumentsOf(text), lang);
      case "" -> actions.onReason(m, lang);
      default -> LOG.debugf("Ignoring unknown command %s", command);
    }
  }

  /** "/history@rmm_bot billing" -> "billing"; "" when there is nothing after the command. */
  private static String argumentsOf(String text) {
    String[] parts = text.split("\\s+", 2);
    return parts.length < 2 ? "" : parts[1];
  }

  /** "/start@rmm_bot x" -> "/start"; "" for text that is not a command. */
  private static String commandOf(String text) {
    if (!text.startsWith("/")) {
      return "";
    }
    String head = text.split("\\s+", 2)[0];
    int at = head.indexOf('@');
    return (at < 0 ? head : head.substring(0, at)).toLowerCase(Locale.ROOT);
  }

  private void onButton(CallbackQuery q) {
    Language lang = language(q.getFrom());
    if (q.getMessage() == null) { // a button of an inline message: not ours
      replies.answer(q.getId(), Texts.FORGED_BUTTON.in(lang), true);
      return;
    }
    long chatId = q.getMessage().getChatId();
    int messageId = q.getMessage().getMessageId();
    Optional<String> signed = buttons.pressed(q);
    if (signed.isEmpty()) {
      boolean gone =
          buttons.isSigned(q.getData()); // ours, but no longer (or never) on this message
      LOG.warnf(
          "Refused a button with %s from user %d in chat %d",
          gone ? "data not on the message " + messageId + " it was pressed on" : "unsigned data",
          q.getFrom().getId(),
          chatId);
      replies.answer(q.getId(), (gone ? Texts.BUTTON_GONE : Texts.FORGED_BUTTON).in(lang), true);
      return;
    }
    String data = signed.get();
    Audience.Verdict may = audience.verdict(q.getFrom().getId());
    if (may != Audience.Verdict.ADMITTED) {
      refusals.refuse(q, data, may, lang);
      return;
    }
    if (data.equals(Screens.MENU)) {
      show(chatId, messageId, Screens.mainMenu(q.getFrom().getFirstName(), lang));
      replies.answer(q.getId(), null, false);
    } else if (data.startsWith("menu:")) {
      Optional<Outcome> list = Screens.list(data);
      list.ifPresentOrElse(
          l -> lists.opened(q, l, lang),
          () -> replies.answer(q.getId(), Texts.FORGED_BUTTON.in(lang), true));
    } else if (data.startsWith(Screens.SERVICE)) {
      lists.picked(q, data, lang);
    } else if (data.startsWith(Screens.PAGE)) {
      lists.paged(q, data, lang);
    } else if (data.startsWith(Screens.LANGUAGE)) {
      Language chosen = Language.of(data.substring(Screens.LANGUAGE.length()), lang);
      sessions.setLanguage(q.getFrom().getId(), chosen);
      show(chatId, messageId, Screens.mainMenu(q.getFrom().getFirstName(), chosen));
      replies.answer(q.getId(), Texts.LANGUAGE_SET.in(chosen), false);
    } else if (data.startsWith(Screens.CONFIRM)) {
      actions.confirm(q, data.substring(Screens.CONFIRM.length()), lang);
    } else if (data.startsWith(Screens.CANCEL)) {
      actions.cancel(q, data.substring(Screens.CANCEL.length()), lang);
    } else if (data.startsWith(Screens.PICK)) {
      actions.picked(q, data.substring(Screens.PICK.length()), lang);
    } else {
      Optional<CallbackData.Press> press = cards.callbacks().decode(data);
      if (press.isEmpty()) {
        LOG.warnf(
            "Refused a button with unknown or altered data from user %d in chat %d",
            q.getFrom().getId(), chatId);
        replies.answer(q.getId(), Texts.FORGED_BUTTON.in(lang), true);
        return;
      }
      actions.pressed(q, press.get(), lang);
    }
  }

  /** Shows a screen: as a new message, or in place of {@code messageId}. */
  private void show(long chatId, Integer messageId, Screen s) {
    if (messageId == null) {
      replies.send(chatId, s.text(), s.keyboard(), null);
    } else {
      replies.edit(chatId, messageId, s.text(), s.keyboard());
    }
  }
}
