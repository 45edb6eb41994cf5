package dev.rmm.gateway.access;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.CommandResult;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.gateway.GatewayConfig;
import dev.rmm.gateway.Texts;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.bot.Cards;
import dev.rmm.gateway.bot.Replies;
import dev.rmm.gateway.card.CallbackData;
import dev.rmm.gateway.commands.CommandClient;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.meta.api.objects.CallbackQuery;
import org.telegram.telegrambots.meta.api.objects.User;

/**
 * What someone who may not do something gets, and what the log keeps of it. Every refused press is
 * answered at once, by the gateway; only the first refusal of a user's action on a release within
 * {@code rmm.telegram.refusal-window} (an hour) goes to release-api, which records it ({@code
 * release.action-refused.v1}): a stranger pressing twenty times writes one event, not twenty. A
 * stranger who writes to the bot gets one polite message per window and nothing else. The windows
 * are Redis keys set with NX and an expiry, shared by the gateway instances.
 */
@ApplicationScoped
public class Refusals {

  private static final Logger LOG = Logger.getLogger(Refusals.class);

  private final ValueCommands<String, String> values;
  private final Replies replies;
  private final CommandClient commands;
  private final CallbackData callbacks;
  private final long windowSeconds;
  private final Duration commandTimeout;

  Refusals(
      RedisDataSource redis,
      Replies replies,
      CommandClient commands,
      Cards cards,
      GatewayConfig config) {
    this.values = redis.value(String.class);
    this.replies = replies;
    this.commands = commands;
    this.callbacks = cards.callbacks();
    this.windowSeconds = Math.max(1, config.telegram().refusalWindow().toSeconds());
    this.commandTimeout = config.telegram().commandTimeout();
  }

  /**
   * Whether this is the first refusal of the user on the release in the window: only that one is
   * sent to release-api to be recorded.
   */
  public boolean firstInWindow(long userId, String releaseId) {
    return values.setAndChanged(
        "rmm:tg:refused:" + userId + ":" + releaseId, "1", new SetArgs().nx().ex(windowSeconds));
  }

  /** Who may do what a card button asks, in words for a refusal. */
  public static Texts whoMay(CallbackData.Action action) {
    return switch (action) {
      case APPROVE -> Texts.ONLY_APPROVERS;
      case RETRY_DISPATCH -> Texts.ONLY_ADMINS_RETRY;
      case REJECT -> Texts.ONLY_APPROVERS_OR_ADMINS;
      case CANCEL_RELEASE -> Texts.ONLY_ADMINS_CANCEL;
      case BREAK_GLASS -> Texts.ONLY_ADMINS_BREAK_GLASS;
      case CONFIRM_BREAK_GLASS, CONFIRM_BREAK_GLASS_ALERT -> Texts.ONLY_ANOTHER_ADMIN;
      default -> Texts.ONLY_ADMINS;
    };
  }

  /** A press the local permission check refuses, after its first refusal was recorded. */
  public void notAllowed(CallbackQuery q, CallbackData.Action action, Language lang) {
    Texts why = whoMay(action);
    LOG.debugf(
        "Refused %s by Telegram user %d without asking release-api: refused and recorded within"
            + " the last %d s",
        action, q.getFrom().getId(), windowSeconds);
    replies.answer(q.getId(), Texts.REFUSED_NOT_ALLOWED.in(lang, why.in(lang)), true);
  }

  /**
   * A message from someone who may not see releases: one polite refusal per window; when it is not
   * known now whether they may, a "try again later".
   */
  public void refuse(long chatId, User user, Audience.Verdict verdict, Language lang) {
    if (verdict == Audience.Verdict.UNKNOWN) {
      replies.send(chatId, Texts.UNAVAILABLE.in(lang), null, null);
      return;
    }
    boolean first =
        values.setAndChanged(
            "rmm:tg:refused-notice:" + user.getId(), "1", new SetArgs().nx().ex(windowSeconds));
    if (!first) {
      LOG.debugf("Ignored a message from Telegram user %d, already refused", user.getId());
      return;
    }
    LOG.infof(
        "Refused Telegram user %d in chat %d: not a viewer, approver, admin or member of the team"
            + " chat (add them to RMM_TELEGRAM_VIEWERS or the team chat to let them in)",
        user.getId(), chatId);
    replies.send(chatId, Texts.ACCESS_REFUSED.in(lang), null, null);
  }

  /**
   * A press by someone who may not see releases: the refusal (or "try again later" when that is not
   * known now), and nothing edited. A card action (approve, reject, rollback, cancel) is recorded
   * by release-api once per user, release and window.
   */
  public void refuse(CallbackQuery q, String data, Audience.Verdict verdict, Language lang) {
    if (verdict == Audience.Verdict.UNKNOWN) {
      replies.answer(q.getId(), Texts.UNAVAILABLE.in(lang), true);
      return;
    }
    replies.answer(q.getId(), Texts.ACCESS_REFUSED.in(lang), true);
    Optional<CallbackData.Press> press = callbacks.decode(data);
    if (press.isEmpty()
        || press.get().action() == CallbackData.Action.REFRESH
        || !firstInWindow(q.getFrom().getId(), press.get().releaseId())) {
      return;
    }
    record(q, press.get());
  }

  private void record(CallbackQuery q, CallbackData.Press p) {
    User u = q.getFrom();
    Actor actor = Actor.telegram(u.getId(), name(u));
    ReleaseCommand command =
        switch (p.action()) {
          case APPROVE -> new ReleaseCommand.Approve(p.releaseId(), u.getId(), p.version(), actor);
          case RETRY_DISPATCH ->
              new ReleaseCommand.RetryDispatch(p.releaseId(), u.getId(), p.version(), actor);
          case REJECT ->
              new ReleaseCommand.Reject(p.releaseId(), u.getId(), "-", p.version(), actor);
          case CANCEL_RELEASE -> new ReleaseCommand.CancelRelease(p.releaseId(), "-", actor);
          case BREAK_GLASS ->
              new ReleaseCommand.ForceApprove(p.releaseId(), u.getId(), "-", p.version(), actor);
          case CONFIRM_BREAK_GLASS, CONFIRM_BREAK_GLASS_ALERT ->
              new ReleaseCommand.ConfirmBreakGlass(p.releaseId(), u.getId(), p.version(), actor);
          default ->
              new ReleaseCommand.RequestRollback(p.releaseId(), u.getId(), "", p.version(), actor);
        };
    try {
      CommandResult result = commands.decide("tg-" + q.getId(), command, commandTimeout);
      LOG.infof(
          "%s of release %s by Telegram user %d, who may not see releases: %s %s (recorded; more"
              + " presses within %d s are refused without being recorded)",
          p.action(),
          p.releaseId(),
          u.getId(),
          result.outcome(),
          result.reasonOrEmpty(),
          windowSeconds);
    } catch (CommandClient.NoAnswerException e) {
      LOG.warnf(
          "The refused %s of release %s by Telegram user %d may not be recorded: %s",
          p.action(), p.releaseId(), u.getId(), e.getMessage());
    }
  }

  private static String name(User u) {
    String full =
        (u.getFirstName() == null ? "" : u.getFirstName())
            + (u.getLastName() == null ? "" : " " + u.getLastName());
    return full.isBlank() ? String.valueOf(u.getId()) : full.strip();
  }
}
