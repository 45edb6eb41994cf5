package dev.rmm.gateway.card;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.Outcome;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.RoleQuorum;
import dev.rmm.gateway.Screens;
import dev.rmm.gateway.Texts;
import dev.rmm.gateway.Texts.Language;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
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
  public Card renderLive(JsonNode r, Language lang, ZoneId zone, Instant now) {
    return render(r, lang, zone, now, null, 0, 0);
  }

  /**
   * @param list the list the card is paged in, or null for the team chat's live card
   * @param index position of the card in its list, from 0
   * @param total number of releases in the list
   */
  public Card render(
      JsonNode r, Language lang, ZoneId zone, Instant now, Outcome list, int index, int total) {
    return render(r, lang, zone, now, list, index, total, null);
  }

  /**
   * @param serviceKey the key of the one service the list is narrowed to ({@link
   *     Screens#serviceKey}), or null for every service
   */
  public Card render(
      JsonNode r,
      Language lang,
      ZoneId zone,
      Instant now,
      Outcome list,
      int index,
      int total,
      String serviceKey) {
    ReleaseStatus status = ReleaseStatus.fromWire(r.path("status").asText());
    Instant created = OffsetDateTime.parse(r.path("created_at").asText()).toInstant();
    Instant until =
        r.hasNonNull("completed_at")
            ? OffsetDateTime.parse(r.path("completed_at").asText()).toInstant()
            : now;
    List<String> lines = new ArrayList<>();
    lines.add(Texts.CARD_SERVICE.in(lang, r.path("service_name").asText()));
    lines.add(Texts.CARD_TAG.in(lang, r.path("release_tag").asText()));
    if (r.hasNonNull("repository")) {
      lines.add(Texts.CARD_REPOSITORY.in(lang, r.path("repository").asText()));
    }
    lines.add(Texts.CARD_STATUS.in(lang, StatusTexts.of(status, lang)));
    if (r.hasNonNull("superseded_by_tag")) {
      // a newer release of the service reached manual testing: this one will not be deployed
      lines.add(Texts.CARD_SUPERSEDED.in(lang, r.path("superseded_by_tag").asText()));
    }
    tagMoved(r, status, lang).ifPresent(lines::add);
    // break-glass is shown loudly, right under the status
    BreakGlassView.banner(r, lang, zone, now).ifPresent(lines::add);
    lines.add(Texts.CARD_INITIATOR.in(lang, initiator(r, lang)));
    lines.add(Texts.CARD_CREATED.in(lang, CREATED.format(created.atZone(zone))));
    lines.add(Texts.CARD_ELAPSED.in(lang, elapsed(Duration.between(created, until), lang)));
    lines.add(Texts.CARD_RUN.in(lang, r.path("github_action_link").asText()));
    List<String> required = names(r.path("required_approvers"));
    Set<Long> approverIds = new HashSet<>();
    r.path("required_approvers").forEach(a -> approverIds.add(a.path("id").asLong()));
    List<String> approved = new ArrayList<>();
    List<Long> countedIds = new ArrayList<>();
    int counted = 0;
    Duration expiry =
        r.hasNonNull("approval_expiry_minutes")
            ? Duration.ofMinutes(r.path("approval_expiry_minutes").asLong())
            : ApprovalPolicy.DEFAULT_APPROVAL_EXPIRY;
    for (JsonNode a : r.path("approved_list")) {
      String who =
          a.path("on_behalf").asBoolean(false) ? Texts.CARD_ON_BEHALF.in(lang, name(a)) : name(a);
      // While approvals are being collected, only approvals in force count, as in the decider
      // (ReleaseDecider.countedApprovals): an approval by someone removed since, or older than the
      // policy's expiry, stays visible but is not counted. A quorum already reached stays reached.
      boolean collecting = status == ReleaseStatus.MANUAL_TESTING;
      if (collecting && !approverIds.contains(a.path("id").asLong())) {
        approved.add(Texts.CARD_NO_LONGER_APPROVER.in(lang, who));
      } else if (collecting && expired(a, expiry, now)) {
        approved.add(Texts.CARD_APPROVAL_EXPIRED.in(lang, who));
      } else {
        approved.add(who);
        countedIds.add(a.path("id").asLong());
        counted++;
      }
    }
    int quorum = r.path("quorum").asInt(required.size());
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
    if (r.hasNonNull("rejection_reason")) {
      lines.add(Texts.CARD_REJECTED.in(lang, r.path("rejection_reason").asText()));
    }
    frozen(r, status, lang, zone, now).ifPresent(lines::add);
    JsonNode dispatch = r.path("dispatch");
    if (dispatch.isObject()) {
      String outcome = dispatch.path("outcome").asText("");
      lines.add(
          outcome.equals("dispatched")
              ? Texts.CARD_DISPATCHED.in(lang)
              : outcome.equals("failed")
                  ? Texts.CARD_DISPATCH_FAILED.in(lang, dispatchProblem(dispatch))
                  : dispatch.hasNonNull("retry_requested_by")
                      ? Texts.CARD_DISPATCH_RETRYING.in(
                          lang, dispatch.path("retry_requested_by").asText())
                      : Texts.CARD_DISPATCHING.in(lang));
    }
    if (!r.path("rollback_to_tag").asText("").isEmpty()) {
      lines.add(Texts.CARD_ROLLBACK_TO.in(lang, r.path("rollback_to_tag").asText()));
    }
    JsonNode runbook = r.path("runbook");
    if (runbook.isObject()) {
      JsonNode ok = runbook.path("ok");
      lines.add(
          ok.isBoolean() && ok.asBoolean()
              ? Texts.CARD_RUNBOOK_DONE.in(lang, runbook.path("detail").asText())
              : ok.isBoolean()
                  ? Texts.CARD_RUNBOOK_FAILED.in(
                      lang,
                      runbook.path("failed_step").asText("?"),
                      runbook.path("detail").asText(""))
                  : Texts.CARD_RUNBOOK_RUNNING.in(
                      lang,
                      runbook.path("target_tag").asText(),
                      runbook.path("host").asText(),
                      runbook.path("steps").size()));
    }
    return new Card(
        String.join("\n", lines), keyboard(r, status, lang, list, index, total, serviceKey, now));
  }

  private InlineKeyboardMarkup keyboard(
      JsonNode r,
      ReleaseStatus status,
      Language lang,
      Outcome list,
      int index,
      int total,
      String serviceKey,
      Instant now) {
    String id = r.path("release_id").asText();
    long version = r.path("version").asLong();
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
    if (status == ReleaseStatus.MANUAL_TEST_PASSED
        && "failed".equals(r.path("dispatch").path("outcome").asText(""))) {
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
  public static boolean offersCancel(JsonNode r, ReleaseStatus status) {
    JsonNode dispatch = r.path("dispatch");
    return status.isSupersedable()
        && (!dispatch.isObject() || "failed".equals(dispatch.path("outcome").asText("")));
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
  static String initiator(JsonNode r, Language lang) {
    String reported = r.path("initiated_by").asText("");
    String login = r.path("initiator_login").asText("");
    if (login.isEmpty()) {
      return reported;
    }
    String who =
        r.hasNonNull("initiator_name")
            ? Texts.CARD_INITIATOR_PERSON.in(lang, r.path("initiator_name").asText(), login)
            : login;
    return reported.isEmpty() || reported.equalsIgnoreCase(login)
        ? who
        : Texts.CARD_INITIATOR_REPORTED.in(lang, who, reported);
  }

  /**
   * "Tag v1.4.0 moved from commit 3f2c1a9 to 9e8d7c6; approvals void: Alice": while approvals are
   * collected after the pipeline reported another commit for the tag (release.approvals-voided).
   */
  private static Optional<String> tagMoved(JsonNode r, ReleaseStatus status, Language lang) {
    JsonNode v = r.path("approvals_voided");
    if (!v.isObject() || !BEFORE_QUORUM.contains(status)) {
      return Optional.empty();
    }
    List<String> voided = names(v.path("approvers"));
    return Optional.of(
        Texts.CARD_TAG_MOVED.in(
                lang,
                v.path("tag").asText(r.path("release_tag").asText()),
                shortSha(v.path("from_commit").asText()),
                shortSha(v.path("to_commit").asText()))
            + (voided.isEmpty()
                ? ""
                : Texts.CARD_APPROVALS_VOIDED.in(lang, String.join(", ", voided))));
  }

  /**
   * "🎭 Roles: qa 1/1 · lead 0/1": how far the counted approvals go toward the policy's role
   * quorum, matched as the decider matches them (one approver fills one role, {@link RoleQuorum});
   * absent when the policy in force names no roles.
   */
  private static Optional<String> roles(JsonNode r, List<Long> countedIds, Language lang) {
    JsonNode required = r.path("required_roles");
    if (!required.isObject() || required.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Integer> needed = new LinkedHashMap<>();
    required.fields().forEachRemaining(e -> needed.put(e.getKey(), e.getValue().asInt()));
    List<ApprovalPolicy.Approver> approvers = new ArrayList<>();
    for (long id : countedIds) {
      for (JsonNode a : r.path("required_approvers")) {
        if (a.path("id").asLong() == id) {
          List<String> held = new ArrayList<>();
          a.path("roles").forEach(role -> held.add(role.asText()));
          approvers.add(new ApprovalPolicy.Approver(id, name(a), null).withRoles(held));
        }
      }
    }
    return Optional.of(Texts.CARD_ROLES.in(lang, RoleQuorum.of(needed, approvers).summary()));
  }

  /**
   * The approvers' names, each with the roles they hold ("Lena (lead)") when the policy has a role
   * quorum, so the team sees whose approval a missing role waits for.
   */
  private static List<String> withRoles(JsonNode r, List<String> names) {
    JsonNode required = r.path("required_roles");
    if (!required.isObject() || required.isEmpty()) {
      return names;
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    for (JsonNode a : r.path("required_approvers")) {
      List<String> held = new ArrayList<>();
      a.path("roles").forEach(role -> held.add(role.asText()));
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
      JsonNode r, ReleaseStatus status, Language lang, ZoneId zone, Instant now) {
    JsonNode held = r.path("dispatch_held");
    JsonNode dispatch = r.path("dispatch");
    // an admin's retry of a failed dispatch, not sent yet, is held like a first dispatch
    boolean retryWaiting =
        dispatch.isObject()
            && dispatch.path("outcome").isNull()
            && dispatch.path("retries").asInt(0) > 0;
    if (!held.isObject()
        || status != ReleaseStatus.MANUAL_TEST_PASSED
        || (dispatch.isObject() && !retryWaiting)) {
      return Optional.empty();
    }
    Instant until = OffsetDateTime.parse(held.path("until").asText()).toInstant();
    if (!until.isAfter(now)) {
      return Optional.empty(); // the freeze ended: the dispatch is on its way
    }
    String when = CREATED.format(until.atZone(zone));
    return Optional.of(
        held.hasNonNull("reason")
            ? Texts.CARD_FROZEN_BECAUSE.in(lang, when, held.path("reason").asText())
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
  private static boolean expired(JsonNode approval, Duration expiry, Instant now) {
    if (!approval.hasNonNull("at")) {
      return false;
    }
    Instant at = OffsetDateTime.parse(approval.path("at").asText()).toInstant();
    return !at.plus(expiry).isAfter(now);
  }

  /** "404 Not Found", or GitHub's message alone when there was no answer. */
  public static String dispatchProblem(JsonNode dispatch) {
    int status = dispatch.path("http_status").asInt();
    String detail = dispatch.path("detail").asText("");
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

  private static List<String> names(JsonNode people) {
    List<String> out = new ArrayList<>();
    people.forEach(p -> out.add(name(p)));
    return out;
  }

  private static String name(JsonNode person) {
    return person.path("name").asText(person.path("id").asText());
  }

  private static InlineKeyboardButton button(String text, String data) {
    return InlineKeyboardButton.builder().text(text).callbackData(data).build();
  }
}
