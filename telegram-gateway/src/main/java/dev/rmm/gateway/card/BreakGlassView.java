package dev.rmm.gateway.card;

import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.readmodel.BreakGlass;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.gateway.Texts;
import dev.rmm.gateway.Texts.Language;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * A release's break-glass as the read model shows it ({@code releases.break_glass}, written by the
 * projector): the card's loud banner, and whether a request awaits a second admin now. A request
 * whose {@code expires_at} has passed counts as expired here before any event says so, the way the
 * decider judges it.
 */
public final class BreakGlassView {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm");
  private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("dd.MM HH:mm");

  private BreakGlassView() {}

  /** Whether a break-glass of the release awaits a second admin's confirmation at {@code now}. */
  public static boolean awaiting(ReleaseView r, Instant now) {
    BreakGlass b = r.breakGlass();
    return b != null
        && b.isAwaiting()
        && r.status() == ReleaseStatus.MANUAL_TESTING
        && !lapsed(b, now);
  }

  /**
   * Whether the release's last break-glass request lapsed unconfirmed but no event recorded it yet
   * (the read model still has it awaiting).
   */
  public static boolean lapsedUnrecorded(ReleaseView r) {
    return r.breakGlass() != null && r.breakGlass().isAwaiting();
  }

  /**
   * "🚨 BREAK-GLASS by Olga: “payments are down” — awaiting a second admin (until 10:05)", "🚨
   * Forced by Olga, confirmed by Petr: …", or that it expired; empty without a break-glass.
   */
  public static Optional<String> banner(ReleaseView r, Language lang, ZoneId zone, Instant now) {
    BreakGlass b = r.breakGlass();
    if (b == null) {
      return Optional.empty();
    }
    String by =
        b.requestedByName() != null
            ? b.requestedByName()
            : b.requestedBy() != null ? String.valueOf(b.requestedBy()) : "?";
    String reason = b.reason() == null ? "" : b.reason();
    if (b.isConfirmed()) {
      return Optional.of(
          Texts.CARD_BREAK_GLASS_CONFIRMED.in(
              lang, by, b.confirmedByName() == null ? "?" : b.confirmedByName(), reason));
    }
    if (b.isAwaiting() && !lapsed(b, now)) {
      if (r.status() != ReleaseStatus.MANUAL_TESTING) {
        return Optional.empty(); // decided otherwise meanwhile (approved, rejected, cancelled)
      }
      return Optional.of(
          Texts.CARD_BREAK_GLASS_AWAITING.in(
              lang, by, reason, b.expiresAt() != null ? at(b.expiresAt(), zone, TIME) : "—"));
    }
    String when =
        b.expiresAt() != null
            ? at(b.expiresAt(), zone, DATE_TIME)
            : at(b.expiredAt(), zone, DATE_TIME);
    return Optional.of(Texts.CARD_BREAK_GLASS_EXPIRED.in(lang, by, when));
  }

  private static boolean lapsed(BreakGlass b, Instant now) {
    return b.expiresAt() != null && !now.isBefore(b.expiresAt().toInstant());
  }

  private static String at(OffsetDateTime time, ZoneId zone, DateTimeFormatter format) {
    if (time == null) {
      return "?";
    }
    return format.format(time.atZoneSameInstant(zone));
  }
}
