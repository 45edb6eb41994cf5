package dev.rmm.gateway.card;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ReleaseStatus;
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
  public static boolean awaiting(JsonNode r, Instant now) {
    JsonNode b = r.path("break_glass");
    return b.isObject()
        && "awaiting".equals(b.path("state").asText())
        && ReleaseStatus.MANUAL_TESTING.wire().equals(r.path("status").asText())
        && !lapsed(b, now);
  }

  /**
   * Whether the release's last break-glass request lapsed unconfirmed but no event recorded it yet
   * (the read model still has it awaiting).
   */
  public static boolean lapsedUnrecorded(JsonNode r) {
    JsonNode b = r.path("break_glass");
    return b.isObject() && "awaiting".equals(b.path("state").asText());
  }

  /**
   * "🚨 BREAK-GLASS by Olga: “payments are down” — awaiting a second admin (until 10:05)", "🚨
   * Forced by Olga, confirmed by Petr: …", or that it expired; empty without a break-glass.
   */
  public static Optional<String> banner(JsonNode r, Language lang, ZoneId zone, Instant now) {
    JsonNode b = r.path("break_glass");
    if (!b.isObject()) {
      return Optional.empty();
    }
    String by = b.path("requested_by_name").asText(b.path("requested_by").asText("?"));
    String reason = b.path("reason").asText("");
    String state = b.path("state").asText();
    if ("confirmed".equals(state)) {
      return Optional.of(
          Texts.CARD_BREAK_GLASS_CONFIRMED.in(
              lang, by, b.path("confirmed_by_name").asText("?"), reason));
    }
    if ("awaiting".equals(state) && !lapsed(b, now)) {
      if (!ReleaseStatus.MANUAL_TESTING.wire().equals(r.path("status").asText())) {
        return Optional.empty(); // decided otherwise meanwhile (approved, rejected, cancelled)
      }
      return Optional.of(
          Texts.CARD_BREAK_GLASS_AWAITING.in(
              lang,
              by,
              reason,
              b.hasNonNull("expires_at") ? at(b, "expires_at", zone, TIME) : "—"));
    }
    String when =
        b.hasNonNull("expires_at")
            ? at(b, "expires_at", zone, DATE_TIME)
            : at(b, "expired_at", zone, DATE_TIME);
    return Optional.of(Texts.CARD_BREAK_GLASS_EXPIRED.in(lang, by, when));
  }

  private static boolean lapsed(JsonNode b, Instant now) {
    return b.hasNonNull("expires_at")
        && !now.isBefore(OffsetDateTime.parse(b.path("expires_at").asText()).toInstant());
  }

  private static String at(JsonNode b, String field, ZoneId zone, DateTimeFormatter format) {
    if (!b.hasNonNull(field)) {
      return "?";
    }
    return format.format(OffsetDateTime.parse(b.path(field).asText()).atZoneSameInstant(zone));
  }
}
