package dev.rmm.gateway.live;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.readmodel.Person;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.gateway.Minutes;
import dev.rmm.gateway.Texts;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.card.StatusTexts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.telegram.telegrambots.meta.api.objects.MessageEntity;
import org.telegram.telegrambots.meta.api.objects.User;

/**
 * Which events deserve a new message in the team chat, and its text: approval needed (with the
 * approvers mentioned, so Telegram notifies them), a break-glass asked for (a second admin must
 * confirm it) or confirmed, deployed, failed or rejected, rolled back. A pure function of the event
 * and the release as the read model shows it.
 */
public final class Announcements {

  /** A message: plain text and its mentions. */
  public record Announcement(String text, List<MessageEntity> entities) {}

  private static final Set<ReleaseStatus> FAILURES =
      Set.of(
          ReleaseStatus.STAGE_BUILDING_FAILED,
          ReleaseStatus.STAGE_TEST_ROLLBACK_FAILED,
          ReleaseStatus.PRODUCTION_FAILED,
          ReleaseStatus.ROLLBACK_FAILED);

  private Announcements() {}

  /** Whether the event changes what the card shows (refused attempts are audit only). */
  static boolean editsCard(EventEnvelope e) {
    return !(e.data() instanceof ReleaseEvent.ActionRefused);
  }

  /**
   * @param release the release from the read model, or null when it is not there (the message then
   *     names the release by id)
   */
  public static Optional<Announcement> of(EventEnvelope e, ReleaseView release, Language lang) {
    String service = release == null ? e.releaseId() : release.serviceName();
    String tag = release == null ? "" : release.releaseTag();
    if (e.data() instanceof ReleaseEvent.ReleaseRejected r) {
      return plain(Texts.TEAM_REJECTED.in(lang, service, tag, r.rejectedByName(), r.reason()));
    }
    if (e.data() instanceof ReleaseEvent.DispatchFailed f) {
      String problem = (f.httpStatus() > 0 ? f.httpStatus() + " " : "") + f.detail();
      return plain(Texts.TEAM_DISPATCH_FAILED.in(lang, service, tag, problem.strip()));
    }
    if (e.data() instanceof ReleaseEvent.BreakGlassRequested b) {
      // people must act: a second admin confirms within the policy's window, or it lapses; the
      // request's window is its expires_at less the time it was decided (the event's time)
      String window = Minutes.of(Minutes.window(e.occurredAt(), b.expiresAt()), lang);
      return plain(
          Texts.TEAM_BREAK_GLASS_REQUESTED.in(
              lang, b.requestedByName(), service, tag, b.reason(), window));
    }
    if (e.data() instanceof ReleaseEvent.BreakGlassConfirmed b) {
      return plain(
          Texts.TEAM_BREAK_GLASS_CONFIRMED.in(
              lang, service, tag, b.requestedByName(), b.confirmedByName()));
    }
    if (!(e.data() instanceof ReleaseEvent.StatusChanged s)) {
      return Optional.empty();
    }
    ReleaseStatus to = s.to();
    if (to == ReleaseStatus.MANUAL_TESTING) {
      return Optional.of(approvalNeeded(service, tag, release, lang));
    }
    if (to == ReleaseStatus.DEPLOYED) {
      return plain(Texts.TEAM_DEPLOYED.in(lang, service, tag));
    }
    if (FAILURES.contains(to)) {
      return plain(
          s.detail() == null || s.detail().isBlank()
              ? Texts.TEAM_FAILED.in(lang, service, tag, StatusTexts.of(to, lang))
              : Texts.TEAM_FAILED_DETAIL.in(
                  lang, service, tag, StatusTexts.of(to, lang), s.detail()));
    }
    if (to == ReleaseStatus.ROLLBACK_DONE) {
      String target = release == null ? "" : release.rollbackToTag();
      return plain(
          Texts.TEAM_ROLLED_BACK.in(
              lang,
              service,
              tag,
              target.isEmpty() ? "" : Texts.TEAM_ROLLED_BACK_TO.in(lang, target)));
    }
    return Optional.empty();
  }

  private static Announcement approvalNeeded(
      String service, String tag, ReleaseView release, Language lang) {
    List<Person> approvers = release == null ? List.of() : release.requiredApprovers();
    int quorum = release == null ? 0 : release.quorumOrAll();
    String head = Texts.TEAM_APPROVAL_NEEDED.in(lang, service, tag, quorum, approvers.size(), "");
    StringBuilder text = new StringBuilder(head);
    List<MessageEntity> mentions = new ArrayList<>();
    for (Person a : approvers) {
      if (!mentions.isEmpty()) {
        text.append(", ");
      }
      String name = a.displayName();
      // offsets and lengths are in UTF-16 code units, as Java strings count
      mentions.add(
          MessageEntity.builder()
              .type("text_mention")
              .offset(text.length())
              .length(name.length())
              .user(User.builder().id(a.id()).firstName(name).isBot(false).build())
              .build());
      text.append(name);
    }
    return new Announcement(text.toString(), mentions);
  }

  private static Optional<Announcement> plain(String text) {
    return Optional.of(new Announcement(text, List.of()));
  }
}
