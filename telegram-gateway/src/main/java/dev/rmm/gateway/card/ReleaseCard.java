package dev.rmm.gateway.card;

import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.Outcome;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.RoleQuorum;
import dev.rmm.contracts.readmodel.Approval;
import dev.rmm.contracts.readmodel.ApprovalsVoided;
import dev.rmm.contracts.readmodel.Dispatch;
import dev.rmm.contracts.readmodel.DispatchHeld;
import dev.rmm.contracts.readmodel.Person;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.contracts.readmodel.Runbook;
import dev.rmm.gateway.Screens;
import dev.rmm.gateway.Texts;
import dev.rmm.gateway.Texts.Language;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardButton;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardRow;

/**
 * The release card of the original design, from a release as the read model (and release-api) shows
 * it. A pure function: the clock, zone and language come in as arguments.
 */
public final class ReleaseCard {

  /** A rendered card: plain text (no parse mode, nothing to escape) and its buttons. */
  public record Card(String text, InlineKeyboardMarkup keyboard) {}

  private static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("dd.MM.yyyy HH:mm");

  private final CallbackData callbacks;

  public ReleaseCard(CallbackData callbacks) {
    this.callbacks = callbacks;
  }

  /** The team chat's live card: the same text and actions, without a pager or a menu. */
  public Card renderLive(ReleaseView r, Language lang, ZoneId zone, Instant now) {
    return render(r, lang, zone, now, null, 0, 0);
  }

  /**
   * @param list the list the card is paged in, or null for the team chat's live card
   * @param index position of the card in its list, from 0
   * @param total number of releases in the list
   */
  public Card render(
      ReleaseView r, Language lang, ZoneId zone, Instant now, Outcome list, int index, int total) {
    return render(r, lang, zone, now, list, index, total, null);
  }

  /**
   * @param serviceKey the key of the one service the list is narrowed to ({@link
   *     Screens#serviceKey}), or null for every service
   */
  public Card render(
      ReleaseView r,
      Language lang,
      ZoneId zone,
      Instant now,
      Outcome list,
      int index,
      int total,
      String serviceKey) {
    ReleaseStatus status = r.status();
    Instant created = r.createdAt().toInstant();
    Instant until = r.completedAt() != null ? r.completedAt().toInstant() : now;
    List<String> lines = new ArrayList<>();
    lines.add(Texts.CARD_SERVICE.in(lang, r.serviceName()));
    lines.add(Texts.CARD_TAG.in(lang, r.releaseTag()));
    if (r.repository() != null) {
      lines.add(Texts.CARD_REPOSITORY.in(lang, r.repository()));
    }
    lines.add(Texts.CARD_STATUS.in(lang, StatusTexts.of(status, lang)));
    if (r.supersededByTag() != null) {
      // a newer release of the service reached manual testing: this one will not be deployed
      lines.add(Texts.CARD_SUPERSEDED.in(lang, r.supersededByTag()));
    }
    tagMoved(r, status, lang).ifPresent(lines::add);
    // break-glass is shown loudly, right under the status
    BreakGlassView.banner(r, lang, zone, now).ifPresent(lines::add);
    lines.add(Texts.CARD_INITIATOR.in(lang, initiator(r, lang)));
    lines.add(Texts.CARD_CREATED.in(lang, CREATED.format(created.atZone(zone))));
    lines.add(Texts.CARD_ELAPSED.in(lang, elapsed(Duration.between(created, until), lang)));
    lines.add(Texts.CARD_RUN.in(lang, text(r.githubActionLink())));
    List<String> required = names(r.requiredApprovers());
    Set<Long> approverIds = new HashSet<>();
    r.requiredApprovers().forEach(a -> approverIds.add(a.id()));
    List<String> approved = new ArrayList<>();
    List<Long> countedIds = new ArrayList<>();
    int counted = 0;
    Duration expiry =
        r.approvalExpiryMinutes() != null
            ? Duration.ofMinutes(r.approvalExpiryMinutes())
            : ApprovalPolicy.DEFAULT_APPROVAL_EXPIRY;
    for (Approval a : r.approvedList()) {
      String who = a.onBehalf() ? Texts.CARD_ON_BEHALF.in(lang, a.displayName()) : a.displayName();
      // While approvals are being collected, only approvals in force count, as in the decider
      // (ReleaseDecider.countedApprovals): an approval by someone removed since, or older than the
      // policy's expiry, stays visible but is not counted. A quorum already reached stays reached.
      boolean collecting = status == ReleaseStatus.MANUAL_TESTING;
      if (collecting && !approverIds.contains(a.id())) {
        approved.add(Texts.CARD_NO_LONGER_APPROVER.in(lang, who));
      } else if (collecting && expired(a, expiry, now)) {
        approved.add(Texts.CARD_APPROVAL_EXPIRED.in(lang, who));
      } else {
        approved.add(who);
        countedIds.add(a.id());
        counted++;
      }
    }
    int quorum = r.quorumOrAll();
    lines.add(
        Texts.CARD_APPROVERS.in(
            lang, quorum, required.size(), String.join(", ", withRoles(r, required))));
    lines.add(
        Texts.CARD_APPROVED.in(
            lang,
            counted,
            quorum,
            approved.isEmpty() ? Texts.CARD_NOBODY.in(lang) : String.join(", ", approved)));
    roles(r, countedIds, lang).ifPresent(lines::add);
    if (r.rejectionReason() != null) {
      lines.add(Texts.CARD_REJECTED.in(lang, r.rejectionReason()));
    }
    frozen(r, status, lang, zone, now).ifPresent(lines::add);
    Dispatch dispatch = r.dispatch();
    if (dispatch != null) {
      lines.add(
          dispatch.dispatched()
              ? Texts.CARD_DISPATCHED.in(lang)
              : dispatch.failed()
                  ? Texts.CARD_DISPATCH_FAILED.in(lang, dispatchProblem(dispatch))
                  : dispatch.retryRequestedBy() != null
                      ? Texts.CARD_DISPATCH_RETRYING.in(lang, dispatch.retryRequestedBy())
                      : Texts.CARD_DISPATCHING.in(lang));
    }
    if (!r.rollbackToTag().isEmpty()) {
      lines.add(Texts.CARD_ROLLBACK_TO.in(lang, r.rollbackToTag()));
    }
    Runbook runbook = r.runbook();
    if (runbook != null) {
      Boolean ok = runbook.ok();
      lines.add(
          Boolean.TRUE.equals(ok)
              ? Texts.CARD_RUNBOOK_DONE.in(lang, text(runbook.detail()))
              : ok != null
                  ? Texts.CARD_RUNBOOK_FAILED.in(
                      lang,
                      runbook.failedStep() == null ? "?" : runbook.failedStep(),
                      text(runbook.detail()))
                  : Texts.CARD_RUNBOOK_RUNNING.in(
                      lang,
                      text(runbook.targetTag()),
                      text(runbook.host()),
                      runbook.steps().size()));
    }
    return new Card(
        String.join("\n", lines), keyboard(r, status, lang, list, index, total, serviceKey, now));
  }

  private InlineKeyboardMarkup keyboard(
      ReleaseView r,
      ReleaseStatus status,
      Language lang,
      Outcome list,
      int index,
      int total,
      String serviceKey,
      Instant now) {
    String id = r.releaseId();
    long version = r.version();
    InlineKeyboardMarkup.InlineKeyboardMarkupBuilder<?, ?> k = InlineKeyboardMarkup.builder();
    if (status == ReleaseStatus.MANUAL_TESTING) {
      k.keyboardRow(
          new InlineKeyboardRow(
              button(
                  Texts.BUTTON_APPROVE.in(lang),
                  callbacks.encode(CallbackData.Action.APPROVE, id, version)),
              button(
                  Texts.BUTTON_REJECT.in(lang),
                  callbacks.encode(CallbackData.Action.REJECT, id, version))));
      // admins only (anyone else is refused, the first attempt recorded): force the approval, or,
      // while another admin's request waits, confirm it
      boolean awaiting = BreakGlassView.awaiting(r, now);
      k.keyboardRow(
          new InlineKeyboardRow(
              awaiting
                  ? button(
                      Texts.BUTTON_CONFIRM_BREAK_GLASS.in(lang),
                      callbacks.encode(CallbackData.Action.CONFIRM_BREAK_GLASS, id, version))
                  : button(
                      Texts.BUTTON_BREAK_GLASS.in(lang),
                      callbacks.encode(CallbackData.Action.BREAK_GLASS, id, version))));
    }
    if (status == ReleaseStatus.DEPLOYED) {
      k.keyboardRow(
          new InlineKeyboardRow(
              button(
                  Texts.BUTTON_ROLLBACK.in(lang),
                  callbacks.encode(CallbackData.Action.ROLLBACK, id, version))));
    }
    if (status == ReleaseStatus.MANUAL_TEST_PASSED && r.dispatchFailed()) {
      // admins only: anyone else pressing it is refused (and the attempt recorded) like a rollback
      k.keyboardRow(
          new InlineKeyboardRow(
              button(
                  Texts.BUTTON_RETRY_DISPATCH.in(lang),
                  callbacks.encode(CallbackData.Action.RETRY_DISPATCH, id, version))));
    }
    if (offersCancel(r, status)) {
      k.keyboardRow(
          new InlineKeyboardRow(
              button(
                  Texts.BUTTON_CANCEL_RELEASE.in(lang),
                  callbacks.encode(CallbackData.Action.CANCEL_RELEASE, id, version))));
    }
    if (list != null && total > 1) {
      String l = Screens.PAGE + Screens.listCode(list) + ":";
      String scope = serviceKey == null ? "" : ":" + serviceKey;
      k.keyboardRow(
          new InlineKeyboardRow(
              button(Texts.BUTTON_PREV.in(lang), l + Math.floorMod(index - 1, total) + scope),
              button("📊 " + (index + 1) + "/" + total, l + index + scope),
              button(Texts.BUTTON_NEXT.in(lang), l + (index + 1) % total + scope)));
    }
    InlineKeyboardButton refresh =
        button(
            Texts.BUTTON_REFRESH.in(lang),
            callbacks.encode(CallbackData.Action.REFRESH, id, version));
    k.keyboardRow(
        list == null
            ? new InlineKeyboardRow(refresh)
            : new InlineKeyboardRow(refresh, button(Texts.BUTTON_BACK.in(lang), Screens.MENU)));
    return k.build();
  }

  /**
   * Whether the card offers an admin's cancel: a release that has not started toward production
   * (what superseding would cancel too, before any dispatch is claimed), or one whose production
   * dispatch failed. Once a dispatch is under way (or retried) the pipeline owns it: a deploy is
   * finished or rolled back, not cancelled.
   */
  public static boolean offersCancel(ReleaseView r, ReleaseStatus status) {
    return status.isSupersedable() && (r.dispatch() == null || r.dispatchFailed());
  }

  /**
   * Who started the release (issue 15 point 3). The GitHub login the API authenticated ({@code
   * initiator_login}: the OIDC token's {@code actor}) decides over the text the pipeline reported
   * ({@code initiated_by}), as in the decider's initiator rule: "Carol (GitHub: carol-work)" when
   * the policy's people know the login ({@code initiator_name}, added by the gateway's policy
   * overlay), the login alone otherwise, and the reported text beside it when it names somebody
   * else. Without an authenticated login (a stored token, an older release) the reported text as it
   * is: it is not matched to a person, since anyone holding the token could have written it.
   */
  static String initiator(ReleaseView r, Language lang) {
    String reported = r.initiatedBy() == null ? "" : r.initiatedBy();
    String login = r.initiatorLogin() == null ? "" : r.initiatorLogin();
    if (login.isEmpty()) {
      return reported;
    }
    String who =
        r.initiatorName() != null
            ? Texts.CARD_INITIATOR_PERSON.in(lang, r.initiatorName(), login)
            : login;
    return reported.isEmpty() || reported.equalsIgnoreCase(login)
        ? who
        : Texts.CARD_INITIATOR_REPORTED.in(lang, who, reported);
  }

  /**
   * "Tag v1.4.0 moved from commit 3f2c1a9 to 9e8d7c6; approvals void: Alice": while approvals are
   * collected after the pipeline reported another commit for the tag (release.approvals-voided).
   */
  private static Optional<String> tagMoved(ReleaseView r, ReleaseStatus status, Language lang) {
    ApprovalsVoided v = r.approvalsVoided();
    if (v == null || !BEFORE_QUORUM.contains(status)) {
      return Optional.empty();
    }
    List<String> voided = names(v.approvers());
    return Optional.of(
        Texts.CARD_TAG_MOVED.in(
                lang,
                v.tag() != null ? v.tag() : text(r.releaseTag()),
                shortSha(text(v.fromCommit())),
                shortSha(text(v.toCommit())))
            + (voided.isEmpty()
                ? ""
                : Texts.CARD_APPROVALS_VOIDED.in(lang, String.join(", ", voided))));
  }

  /**
   * "🎭 Roles: qa 1/1 · lead 0/1": how far the counted approvals go toward the policy's role
   * quorum, matched as the decider matches them (one approver fills one role, {@link RoleQuorum});
   * absent when the policy in force names no roles.
   */
  private static Optional<String> roles(ReleaseView r, List<Long> countedIds, Language lang) {
    if (r.requiredRoles() == null) {
      return Optional.empty();
    }
    Map<String, Integer> needed = new LinkedHashMap<>(r.requiredRoles());
    List<ApprovalPolicy.Approver> approvers = new ArrayList<>();
    for (long id : countedIds) {
      for (Person a : r.requiredApprovers()) {
        if (a.id() == id) {
          approvers.add(
              new ApprovalPolicy.Approver(id, a.displayName(), null).withRoles(a.roles()));
        }
      }
    }
    return Optional.of(Texts.CARD_ROLES.in(lang, RoleQuorum.of(needed, approvers).summary()));
  }

  /**
   * The approvers' names, each with the roles they hold ("Lena (lead)") when the policy has a role
   * quorum, so the team sees whose approval a missing role waits for.
   */
  private static List<String> withRoles(ReleaseView r, List<String> names) {
    if (r.requiredRoles() == null) {
      return names;
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    for (Person a : r.requiredApprovers()) {
      List<String> held = a.roles();
      out.add(held.isEmpty() ? names.get(i) : names.get(i) + " (" + String.join(", ", held) + ")");
      i++;
    }
    return out;
  }

  /**
   * "❄️ Frozen until 05.12.2026 09:00 (reason)", in the team's zone: while an approved release's
   * dispatch is held by a freeze window (release.dispatch-held) that has not ended yet.
   */
  private static Optional<String> frozen(
      ReleaseView r, ReleaseStatus status, Language lang, ZoneId zone, Instant now) {
    DispatchHeld held = r.dispatchHeld();
    Dispatch dispatch = r.dispatch();
    // an admin's retry of a failed dispatch, not sent yet, is held like a first dispatch
    boolean retryWaiting = dispatch != null && dispatch.outcome() == null && dispatch.retries() > 0;
    if (held == null
        || status != ReleaseStatus.MANUAL_TEST_PASSED
        || (dispatch != null && !retryWaiting)) {
      return Optional.empty();
    }
    Instant until = held.until().toInstant();
    if (!until.isAfter(now)) {
      return Optional.empty(); // the freeze ended: the dispatch is on its way
    }
    String when = CREATED.format(until.atZone(zone));
    return Optional.of(
        held.reason() != null
            ? Texts.CARD_FROZEN_BECAUSE.in(lang, when, held.reason())
            : Texts.CARD_FROZEN.in(lang, when));
  }

  /** The statuses in which approvals are still being collected (a moved tag voids them). */
  private static final Set<ReleaseStatus> BEFORE_QUORUM =
      java.util.EnumSet.of(
          ReleaseStatus.INITIATED,
          ReleaseStatus.STAGE_BUILDING,
          ReleaseStatus.STAGE_TEST_ROLLBACK,
          ReleaseStatus.MANUAL_TESTING);

  private static String shortSha(String sha) {
    return sha.length() > 7 ? sha.substring(0, 7) : sha;
  }

  /** Whether an approval is older than the expiry at {@code now}; one without a time never is. */
  private static boolean expired(Approval approval, Duration expiry, Instant now) {
    if (approval.at() == null) {
      return false;
    }
    Instant at = approval.at().toInstant();
    return !at.plus(expiry).isAfter(now);
  }

  /** "404 Not Found", or GitHub's message alone when there was no answer. */
  public static String dispatchProblem(Dispatch dispatch) {
    int status = dispatch.httpStatus() == null ? 0 : dispatch.httpStatus();
    String detail = text(dispatch.detail());
    return status > 0 ? (status + " " + detail).strip() : detail;
  }

  public static String elapsed(Duration d, Language lang) {
    long minutes = Math.max(0, d.toMinutes());
    if (minutes >= 24 * 60) {
      return Texts.DAYS_HOURS.in(lang, minutes / (24 * 60), (minutes / 60) % 24);
    }
    if (minutes >= 60) {
      return Texts.HOURS_MINUTES.in(lang, minutes / 60, minutes % 60);
    }
    return Texts.MINUTES.in(lang, minutes);
  }

  private static List<String> names(List<Person> people) {
    List<String> out = new ArrayList<>();
    people.forEach(p -> out.add(p.displayName()));
    return out;
  }

  /** A text column as the card shows it: empty when the row has none. */
  private static String text(String value) {
    return value == null ? "" : value;
  }

  private static InlineKeyboardButton button(String text, String data) {
    return InlineKeyboardButton.builder().text(text).callbackData(data).build();
  }
}
