package dev.rmm.gateway.bot;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.CommandResult;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.readmodel.BreakGlass;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.gateway.GatewayConfig;
import dev.rmm.gateway.Minutes;
import dev.rmm.gateway.Screens;
import dev.rmm.gateway.Screens.Screen;
import dev.rmm.gateway.Texts;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.access.Refusals;
import dev.rmm.gateway.bot.PendingAction.Kind;
import dev.rmm.gateway.card.BreakGlassView;
import dev.rmm.gateway.card.CallbackData;
import dev.rmm.gateway.card.ReleaseCard;
import dev.rmm.gateway.card.ReleaseCard.Card;
import dev.rmm.gateway.card.StatusTexts;
import dev.rmm.gateway.commands.CommandClient;
import dev.rmm.gateway.releases.ReleaseReader;
import dev.rmm.gateway.releases.ReleaseReader.DeployedTag;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.meta.api.objects.CallbackQuery;
import org.telegram.telegrambots.meta.api.objects.User;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.ForceReplyKeyboard;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardRow;

/**
 * Approve, reject, rollback, an admin's cancel and an admin's retry of a failed production dispatch
 * from a card: each asks for confirmation (a rejection or a cancel first for its reason, a rollback
 * first for its target tag), then goes to release-api as a command carrying the card's version, and
 * the user reads release-api's decision. Someone not allowed to act gets a refusal at once: the
 * first one per release and window is release-api's, which the event log records ({@link
 * Refusals}), later ones the gateway's own; a stale card is refreshed instead of acting.
 */
@ApplicationScoped
public class ActionFlows {

  private static final Logger LOG = Logger.getLogger(ActionFlows.class);
  private static final int MAX_REASON = 500;
  private static final int MAX_TAGS = 8;
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("dd.MM.yyyy HH:mm");

  private final Sessions sessions;
  private final ReleaseReader reader;
  private final Cards cards;
  private final Replies replies;
  private final CommandClient commands;
  private final Refusals refusals;
  private final Duration commandTimeout;

  ActionFlows(
      Sessions sessions,
      ReleaseReader reader,
      Cards cards,
      Replies replies,
      CommandClient commands,
      Refusals refusals,
      GatewayConfig config) {
    this.sessions = sessions;
    this.reader = reader;
    this.cards = cards;
    this.replies = replies;
    this.commands = commands;
    this.refusals = refusals;
    this.commandTimeout = config.telegram().commandTimeout();
  }

  /** A signed card button: refresh, or the start of an action. */
  void pressed(CallbackQuery q, CallbackData.Press press, Language lang) {
    long chatId = q.getMessage().getChatId();
    int messageId = q.getMessage().getMessageId();
    if (press.action() == CallbackData.Action.REFRESH) {
      refreshCard(chatId, messageId, press.releaseId(), press.version(), lang);
      replies.answer(q.getId(), null, false);
      return;
    }
    Optional<ReleaseView> found = reader.release(press.releaseId());
    if (found.isEmpty()) {
      replies.answer(q, Texts.RELEASE_UNKNOWN.in(lang), true);
      return;
    }
    ReleaseView r = found.get();
    User user = q.getFrom();
    Kind kind =
        switch (press.action()) {
          case APPROVE -> Kind.APPROVE;
          case REJECT -> Kind.REJECT;
          case CANCEL_RELEASE -> Kind.CANCEL_RELEASE;
          case RETRY_DISPATCH -> Kind.RETRY_DISPATCH;
          case BREAK_GLASS -> Kind.BREAK_GLASS;
          case CONFIRM_BREAK_GLASS -> Kind.CONFIRM_BREAK_GLASS;
          case CONFIRM_BREAK_GLASS_ALERT -> Kind.CONFIRM_BREAK_GLASS_ALERT;
          default -> Kind.ROLLBACK;
        };
    PendingAction pending =
        new PendingAction(
            kind,
            press.releaseId(),
            press.version(),
            user.getId(),
            name(user),
            null,
            null,
            chatId,
            messageId);
    if (!mayTry(kind, r, user.getId())) {
      if (refusals.firstInWindow(user.getId(), press.releaseId())) {
        // release-api refuses and records the attempt; the user reads its reason
        decideAndAnswer(q, pending.withReason("-").withTargetTag(""), lang);
      } else {
        refusals.notAllowed(q, press.action(), lang); // recorded already: not sent again
      }
      return;
    }
    ReleaseStatus now = r.status();
    boolean current =
        switch (kind) {
          case ROLLBACK -> now == ReleaseStatus.DEPLOYED;
          case CANCEL_RELEASE -> ReleaseCard.offersCancel(r, now);
          case RETRY_DISPATCH -> now == ReleaseStatus.MANUAL_TEST_PASSED;
          default -> now == ReleaseStatus.MANUAL_TESTING;
        };
    if (!current) {
      refreshPressed(kind, chatId, messageId, press.releaseId(), r.version(), lang);
      replies.answer(q, Texts.REFUSED_STALE.in(lang, StatusTexts.of(now, lang)), true);
      return;
    }
    String service = r.serviceName();
    String tag = r.releaseTag();
    if (isBreakGlass(kind)) {
      // the card may be older than another admin's request or confirmation: show where it is
      boolean awaiting = BreakGlassView.awaiting(r, java.time.Instant.now());
      if (isConfirmation(kind) && !awaiting && BreakGlassView.lapsedUnrecorded(r)) {
        // too late: release-api refuses it and records the request expired (timeline, alert)
        decideAndAnswer(q, pending, lang);
        return;
      }
      if (awaiting != isConfirmation(kind)) {
        refreshPressed(kind, chatId, messageId, press.releaseId(), r.version(), lang);
        replies.answer(
            q,
            Texts.REFUSED_NOW.in(
                lang,
                isConfirmation(kind)
                    ? Texts.BREAK_GLASS_NONE.in(lang)
                    : Texts.BREAK_GLASS_TAKEN.in(lang)),
            true);
        return;
      }
    }
    if (kind == Kind.RETRY_DISPATCH && !r.dispatchFailed()) {
      // retried already (by another admin, or this press arrived twice): the card shows where it is
      refreshCard(chatId, messageId, press.releaseId(), r.version(), lang);
      replies.answer(q, Texts.RETRY_NOT_NEEDED.in(lang, service, tag), true);
      return;
    }
    switch (kind) {
      case APPROVE -> {
        String token = sessions.offer(pending);
        Screen s =
            Screens.confirmation(
                Texts.CONFIRM_APPROVE.in(lang, service, tag),
                Texts.BUTTON_YES_APPROVE.in(lang),
                token,
                lang);
        replies.send(chatId, s.text(), s.keyboard(), messageId);
        replies.answer(q.getId(), null, false);
      }
      case REJECT, CANCEL_RELEASE, BREAK_GLASS -> {
        sessions.awaitReason(chatId, user.getId(), pending);
        Texts ask =
            kind == Kind.REJECT
                ? Texts.ASK_REASON
                : kind == Kind.BREAK_GLASS ? Texts.ASK_BREAK_GLASS_REASON : Texts.ASK_CANCEL_REASON;
        replies.send(
            chatId,
            ask.in(lang, user.getFirstName(), service, tag),
            ForceReplyKeyboard.builder().forceReply(true).selective(false).build(),
            messageId);
        replies.answer(q.getId(), null, false);
      }
      case ROLLBACK -> offerTags(q, pending, service, lang);
      case CONFIRM_BREAK_GLASS, CONFIRM_BREAK_GLASS_ALERT -> {
        String token = sessions.offer(pending);
        BreakGlass b = r.breakGlass(); // awaiting: checked above
        Screen s =
            Screens.confirmation(
                Texts.CONFIRM_BREAK_GLASS_SECOND.in(
                    lang,
                    service,
                    tag,
                    b.requestedByName() == null ? "?" : b.requestedByName(),
                    b.reason() == null ? "" : b.reason()),
                Texts.BUTTON_YES_CONFIRM_BREAK_GLASS.in(lang),
                token,
                lang);
        replies.send(chatId, s.text(), s.keyboard(), messageId);
        replies.answer(q.getId(), null, false);
      }
      case RETRY_DISPATCH -> {
        String token = sessions.offer(pending);
        Screen s =
            Screens.confirmation(
                Texts.CONFIRM_RETRY_DISPATCH.in(lang, service, tag),
                Texts.BUTTON_YES_RETRY_DISPATCH.in(lang),
                token,
                lang);
        replies.send(chatId, s.text(), s.keyboard(), messageId);
        replies.answer(q.getId(), null, false);
      }
    }
  }

  /** The user's text after "reject" or "cancel release": the reason, then a confirmation. */
  void onReason(Message m, Language lang) {
    Optional<PendingAction> waiting =
        sessions.takeAwaitedReason(m.getChatId(), m.getFrom().getId());
    if (waiting.isEmpty()) {
      return; // ordinary chat
    }
    String reason = m.getText().strip();
    if (reason.isEmpty()) {
      sessions.awaitReason(m.getChatId(), m.getFrom().getId(), waiting.get());
      replies.send(m.getChatId(), Texts.REASON_EMPTY.in(lang), null, m.getMessageId());
      return;
    }
    if (reason.length() > MAX_REASON) {
      reason = reason.substring(0, MAX_REASON);
    }
    PendingAction withReason = waiting.get().withReason(reason);
    String token = sessions.offer(withReason);
    ReleaseView r = namesOf(withReason.releaseId());
    String service = r == null ? withReason.releaseId() : r.serviceName();
    String tag = r == null ? "" : r.releaseTag();
    Kind kind = withReason.kind();
    Texts question =
        kind == Kind.CANCEL_RELEASE
            ? Texts.CONFIRM_CANCEL
            : kind == Kind.BREAK_GLASS ? Texts.CONFIRM_BREAK_GLASS_REQUEST : Texts.CONFIRM_REJECT;
    Texts yes =
        kind == Kind.CANCEL_RELEASE
            ? Texts.BUTTON_YES_CANCEL
            : kind == Kind.BREAK_GLASS ? Texts.BUTTON_YES_BREAK_GLASS : Texts.BUTTON_YES_REJECT;
    String text =
        kind == Kind.BREAK_GLASS
            ? question.in(lang, service, tag, reason, Minutes.of(windowOf(r), lang))
            : question.in(lang, service, tag, reason);
    Screen s = Screens.confirmation(text, yes.in(lang), token, lang);
    replies.send(m.getChatId(), s.text(), s.keyboard(), m.getMessageId());
  }

  void cancelReason(Message m, Language lang) {
    if (sessions.takeAwaitedReason(m.getChatId(), m.getFrom().getId()).isPresent()) {
      replies.send(m.getChatId(), Texts.ACTION_CANCELLED.in(lang), null, m.getMessageId());
    }
  }

  /** A rollback target tag was picked: ask for confirmation in place of the picker. */
  void picked(CallbackQuery q, String token, Language lang) {
    Optional<PendingAction> pick = takeOwn(q, token, lang);
    if (pick.isEmpty()) {
      return;
    }
    PendingAction p = pick.get();
    ReleaseView r = namesOf(p.releaseId());
    String service = r == null ? p.releaseId() : r.serviceName();
    String tag = r == null ? "" : r.releaseTag();
    String confirmToken = sessions.offer(p);
    Screen s =
        Screens.confirmation(
            Texts.CONFIRM_ROLLBACK.in(lang, service, tag, p.targetTag()),
            Texts.BUTTON_YES_ROLLBACK.in(lang),
            confirmToken,
            lang);
    replies.edit(q.getMessage().getChatId(), q.getMessage().getMessageId(), s.text(), s.keyboard());
    replies.answer(q.getId(), null, false);
  }

  /** "Yes": the action goes to release-api. */
  void confirm(CallbackQuery q, String token, Language lang) {
    takeOwn(q, token, lang).ifPresent(p -> decideAndAnswer(q, p, lang));
  }

  /** "Cancel": nothing happens. */
  void cancel(CallbackQuery q, String token, Language lang) {
    if (!token.equals("-") && takeOwn(q, token, lang).isEmpty()) {
      return;
    }
    replies.edit(
        q.getMessage().getChatId(),
        q.getMessage().getMessageId(),
        Texts.ACTION_CANCELLED.in(lang),
        null);
    replies.answer(q.getId(), Texts.ACTION_CANCELLED.in(lang), false);
  }

  /** The picker: the targets release-api will accept, and what runs in production now. */
  private void offerTags(CallbackQuery q, PendingAction pending, String service, Language lang) {
    ReleaseReader.RollbackPicker picker = reader.rollbackTargets(pending.releaseId(), MAX_TAGS);
    List<DeployedTag> tags = picker.tags();
    if (tags.isEmpty()) {
      replies.answer(q, Texts.NO_EARLIER_TAGS.in(lang, service), true);
      return;
    }
    InlineKeyboardMarkup.InlineKeyboardMarkupBuilder<?, ?> k = InlineKeyboardMarkup.builder();
    for (DeployedTag t : tags) {
      String token = sessions.offer(pending.withTargetTag(t.tag()));
      String when = DATE.format(t.deployedAt().atZoneSameInstant(cards.zone()));
      k.keyboardRow(
          new InlineKeyboardRow(Screens.button(t.tag() + " · " + when, Screens.PICK + token)));
    }
    k.keyboardRow(
        new InlineKeyboardRow(Screens.button(Texts.BUTTON_CANCEL.in(lang), Screens.CANCEL + "-")));
    replies.send(
        pending.cardChatId(),
        Texts.PICK_ROLLBACK.in(
            lang, service, picker.production() == null ? "?" : picker.production()),
        k.build(),
        pending.cardMessageId());
    replies.answer(q.getId(), null, false);
  }

  /** The pending action behind a token, if it is this user's and still waiting. */
  private Optional<PendingAction> takeOwn(CallbackQuery q, String token, Language lang) {
    Optional<PendingAction> p = sessions.peek(token);
    if (p.isPresent() && p.get().userId() != q.getFrom().getId()) {
      replies.answer(q, Texts.NOT_YOURS.in(lang, p.get().userName()), true);
      return Optional.empty();
    }
    Optional<PendingAction> taken = p.isEmpty() ? p : sessions.take(token);
    if (taken.isEmpty()) {
      replies.answer(q, Texts.EXPIRED.in(lang), true);
    }
    return taken;
  }

  private void decideAndAnswer(CallbackQuery q, PendingAction p, Language lang) {
    Actor actor = Actor.telegram(p.userId(), p.userName());
    ReleaseCommand command =
        switch (p.kind()) {
          case APPROVE -> new ReleaseCommand.Approve(p.releaseId(), p.userId(), p.version(), actor);
          case REJECT ->
              new ReleaseCommand.Reject(p.releaseId(), p.userId(), p.reason(), p.version(), actor);
          case ROLLBACK ->
              new ReleaseCommand.RequestRollback(
                  p.releaseId(), p.userId(), p.targetTag(), p.version(), actor);
          case CANCEL_RELEASE -> new ReleaseCommand.CancelRelease(p.releaseId(), p.reason(), actor);
          case RETRY_DISPATCH ->
              new ReleaseCommand.RetryDispatch(p.releaseId(), p.userId(), p.version(), actor);
          case BREAK_GLASS ->
              new ReleaseCommand.ForceApprove(
                  p.releaseId(), p.userId(), p.reason(), p.version(), actor);
          case CONFIRM_BREAK_GLASS, CONFIRM_BREAK_GLASS_ALERT ->
              new ReleaseCommand.ConfirmBreakGlass(p.releaseId(), p.userId(), p.version(), actor);
        };
    CommandResult result;
    try {
      result = commands.decide("tg-" + q.getId(), command, commandTimeout);
    } catch (CommandClient.NoAnswerException e) {
      LOG.warnf("No decision for %s by user %d: %s", p.kind(), p.userId(), e.getMessage());
      replies.answer(q, Texts.NO_ANSWER.in(lang), true);
      return;
    }
    boolean accepted = result.accepted();
    // only a new request's answer and a late confirmation's refusal name the break-glass window,
    // and only they read the release for it
    boolean namesWindow = accepted ? p.kind() == Kind.BREAK_GLASS : isConfirmation(p.kind());
    Duration window = namesWindow ? breakGlassWindow(p.releaseId(), accepted) : null;
    String text =
        accepted ? acceptedText(p, result, window, lang) : refusedText(p, result, window, lang);
    LOG.infof(
        "%s of release %s by Telegram user %d: %s %s",
        p.kind(), p.releaseId(), p.userId(), result.outcome(), result.reasonOrEmpty());
    boolean fromConfirmation = q.getData() != null && q.getData().startsWith(Screens.CONFIRM);
    if (fromConfirmation) {
      // the confirmation shows the decision: it is what the user sees when the answer is too late
      replies.edit(q.getMessage().getChatId(), q.getMessage().getMessageId(), text, null);
      replies.answer(q.getId(), text, !accepted);
    } else {
      replies.answer(q, text, !accepted);
    }
    if (accepted || "stale".equals(result.reason())) {
      try {
        refreshPressed(
            p.kind(), p.cardChatId(), p.cardMessageId(), p.releaseId(), result.version(), lang);
      } catch (RuntimeException e) {
        // the press is answered and decided: handling it again would answer it twice
        LOG.warnf(
            "The card of release %s was not refreshed after %s by user %d (%s); the team chat's"
                + " live card follows the event, the Refresh button shows it here",
            p.releaseId(), p.kind(), p.userId(), e.getMessage());
      }
    }
  }

  /**
   * The release's names for a confirmation text, or null when the read model does not answer: the
   * step has already taken its session state (a token, an awaited reason), so failing here would
   * lose the user's step; the release id names it instead.
   */
  private ReleaseView namesOf(String releaseId) {
    try {
      return reader.release(releaseId).orElse(null);
    } catch (RuntimeException e) {
      LOG.warnf(
          "The read model did not answer for release %s (%s); the confirmation names it by id",
          releaseId, e.getMessage());
      return null;
    }
  }

  /**
   * The window a break-glass text names: for a request just made, the policy in force's (the one
   * the decision used); for a refused confirmation, the window the last request was given.
   */
  private Duration breakGlassWindow(String releaseId, boolean accepted) {
    ReleaseView r = namesOf(releaseId);
    BreakGlass b = r == null ? null : r.breakGlass();
    return accepted || b == null ? windowOf(r) : Minutes.window(b.requestedAt(), b.expiresAt());
  }

  /** The policy's break-glass window for the release, or the default when it is unknown. */
  private static Duration windowOf(ReleaseView r) {
    return r == null ? ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW : r.breakGlassWindow();
  }

  /**
   * @param breakGlassWindow the window a new break-glass request's answer names; null for other
   *     actions
   */
  private static String acceptedText(
      PendingAction p, CommandResult result, Duration breakGlassWindow, Language lang) {
    String service = serviceOf(result, "");
    String tag = tagOf(result, "");
    int approvals = result.approvals();
    int quorum = result.quorum();
    List<String> events = result.events();
    return switch (p.kind()) {
      case APPROVE ->
          events.contains(ReleaseEvent.ApprovalQuorumReached.TYPE)
              ? Texts.ALL_APPROVED.in(lang)
              : events.contains(ReleaseEvent.ApprovalGranted.TYPE)
                  ? Texts.APPROVAL_COUNTED.in(lang, approvals, quorum)
                  : Texts.ALREADY_APPROVED.in(lang, approvals, quorum);
      case REJECT -> Texts.REJECTED_DONE.in(lang, service, tag);
      case ROLLBACK -> Texts.ROLLBACK_REQUESTED.in(lang, service, p.targetTag());
      case CANCEL_RELEASE -> Texts.CANCELLED_DONE.in(lang, service, tag);
      case RETRY_DISPATCH -> Texts.RETRY_DISPATCH_REQUESTED.in(lang, service, tag);
      case BREAK_GLASS ->
          Texts.BREAK_GLASS_REQUESTED_DONE.in(
              lang, service, tag, Minutes.of(breakGlassWindow, lang));
      case CONFIRM_BREAK_GLASS, CONFIRM_BREAK_GLASS_ALERT ->
          Texts.BREAK_GLASS_CONFIRMED_DONE.in(lang, service, tag);
    };
  }

  /** The service of the release the answer shows, or {@code otherwise} when it shows none. */
  private static String serviceOf(CommandResult result, String otherwise) {
    ReleaseView r = result.release();
    return r == null || r.serviceName() == null ? otherwise : r.serviceName();
  }

  /** The tag of the release the answer shows, or {@code otherwise} when it shows none. */
  private static String tagOf(CommandResult result, String otherwise) {
    ReleaseView r = result.release();
    return r == null || r.releaseTag() == null ? otherwise : r.releaseTag();
  }

  /**
   * The refusal in the user's language: release-api's detail is English and stays in the log's
   * audit record; the user reads what the refusal means, from its reason and the release's status.
   * Only a reason the gateway does not know shows the detail itself.
   *
   * @param breakGlassWindow the window a late break-glass confirmation's refusal names; null for
   *     other actions
   */
  static String refusedText(
      PendingAction p, CommandResult result, Duration breakGlassWindow, Language lang) {
    String detail = result.detailOrEmpty();
    return switch (result.reasonOrEmpty()) {
      case "not_allowed" ->
          Texts.REFUSED_NOT_ALLOWED.in(lang, whyNotAllowed(p.kind(), detail, lang));
      case "stale" -> Texts.REFUSED_STALE.in(lang, StatusTexts.of(result.status(), lang));
      case "illegal_transition" ->
          Texts.REFUSED_NOW.in(
              lang,
              isBreakGlass(p.kind()) && detail.startsWith("no break-glass")
                  ? Texts.BREAK_GLASS_NONE.in(lang)
                  : isBreakGlass(p.kind()) && detail.contains("lapsed")
                      ? Texts.BREAK_GLASS_EXPIRED_NOW.in(lang, Minutes.of(breakGlassWindow, lang))
                      : p.kind() == Kind.RETRY_DISPATCH
                          ? Texts.RETRY_NOT_NEEDED.in(
                              lang, serviceOf(result, "?"), tagOf(result, "?"))
                          : Texts.NOT_IN_THIS_STATUS.in(
                              lang, StatusTexts.of(result.status(), lang)));
      case "conflict" ->
          isBreakGlass(p.kind())
              ? Texts.REFUSED_NOW.in(lang, Texts.BREAK_GLASS_TAKEN.in(lang))
              : Texts.REFUSED_OTHER.in(lang, detail);
      case "not_found" -> Texts.RELEASE_UNKNOWN.in(lang);
      default -> Texts.REFUSED_OTHER.in(lang, detail);
    };
  }

  private static boolean isBreakGlass(Kind kind) {
    return kind == Kind.BREAK_GLASS || isConfirmation(kind);
  }

  /** A second admin's confirmation of a break-glass, from the card or from its alert. */
  private static boolean isConfirmation(Kind kind) {
    return kind == Kind.CONFIRM_BREAK_GLASS || kind == Kind.CONFIRM_BREAK_GLASS_ALERT;
  }

  private static String whyNotAllowed(Kind kind, String detail, Language lang) {
    if (kind == Kind.APPROVE && detail.endsWith(ReleaseDecider.INITIATOR_MAY_NOT_APPROVE)) {
      return Texts.OWN_RELEASE.in(lang);
    }
    // a pending action's kind is the card button that started it
    return Refusals.whoMay(CallbackData.Action.valueOf(kind.name())).in(lang);
  }

  /** Whether the read model's policy lets this user try; release-api decides in the end. */
  private static boolean mayTry(Kind kind, ReleaseView r, long userId) {
    boolean approver = r.isApprover(userId);
    boolean admin = r.isAdmin(userId);
    return switch (kind) {
      case APPROVE -> approver;
      case REJECT -> approver || admin;
      case ROLLBACK,
          CANCEL_RELEASE,
          RETRY_DISPATCH,
          BREAK_GLASS,
          CONFIRM_BREAK_GLASS,
          CONFIRM_BREAK_GLASS_ALERT ->
          admin;
    };
  }

  /**
   * Shows where the release is on the message the action was pressed on: the card, refreshed; or,
   * for a break-glass alert in the alerts chat, the alert with its text as it was and without the
   * button (the request is confirmed, refused for good, or no longer waiting).
   */
  private void refreshPressed(
      Kind kind, long chatId, int messageId, String releaseId, long version, Language lang) {
    if (kind == Kind.CONFIRM_BREAK_GLASS_ALERT) {
      replies.dropButtons(chatId, messageId);
    } else {
      refreshCard(chatId, messageId, releaseId, version, lang);
    }
  }

  private void refreshCard(
      long chatId, int messageId, String releaseId, long version, Language lang) {
    Optional<Card> c = cards.current(releaseId, version, chatId, lang);
    c.ifPresent(card -> replies.edit(chatId, messageId, card.text(), card.keyboard()));
  }

  static String name(User u) {
    String full =
        (u.getFirstName() == null ? "" : u.getFirstName())
            + (u.getLastName() == null ? "" : " " + u.getLastName());
    return full.isBlank() ? String.valueOf(u.getId()) : full.strip();
  }
}
