package dev.rmm.api.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.FreezeWindow;
import dev.rmm.contracts.TextRules;
import dev.rmm.contracts.TextRules.Kind;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The policy file's {@code "freezes"} (issue 15 point 5): windows during which no release of the
 * services they cover is dispatched to production.
 *
 * <pre>"freezes": [
 *   {"from": "2026-12-30T18:00:00+03:00", "until": "2027-01-09T09:00:00+03:00",
 *    "reason": "New Year"},
 *   {"services": ["billing"], "from": "2026-12-05T00:00", "until": "2026-12-06T00:00",
 *    "zone": "Europe/Berlin", "reason": "billing migration"},
 *   {"weekly": {"from": "Fri 16:00", "until": "Mon 09:00"}, "zone": "Europe/Moscow",
 *    "reason": "no deploys over the weekend"}]
 * </pre>
 *
 * A window without {@code services} covers every service. A date range's times carry an offset or
 * are local times in its {@code zone}; a weekly window's days and times are wall-clock times in its
 * {@code zone} (required), and an end before the start in the week's order wraps across the week's
 * end. Every refusal names the window and the field ({@code freezes[2].weekly.until: ...}), and
 * never repeats hostile text.
 */
final class FreezeFile {

  /** More windows than any team keeps; each is looked at on every dispatch. */
  static final int MAX_WINDOWS = 100;

  /** The longest reason (it is shown on every card of a frozen release). */
  static final int MAX_REASON = 200;

  private static final int MAX_SERVICE = 100;

  /**
   * A service name as the API accepts one in a release (its {@code Validation.SERVICE}): a window
   * naming anything else could never cover a release, and the team would believe a service frozen
   * that is not.
   */
  private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private static final int MAX_ZONE = 64;
  private static final Set<String> FIELDS =
      Set.of("services", "from", "until", "weekly", "zone", "reason");
  private static final Set<String> WEEKLY_FIELDS = Set.of("from", "until");
  private static final Pattern DAY_TIME =
      Pattern.compile("([A-Za-z]{3,9})\\s+([0-9]{2}):([0-9]{2})");

  private FreezeFile() {}

  /**
   * The windows of the file's {@code "freezes"} (absent or null: none).
   *
   * @throws IllegalArgumentException naming the window and field that is wrong
   */
  static List<FreezeWindow> parse(JsonNode freezes) {
    if (freezes == null || freezes.isNull()) {
      return List.of();
    }
    if (!freezes.isArray()) {
      throw new IllegalArgumentException("'freezes' is a list of freeze windows");
    }
    if (freezes.size() > MAX_WINDOWS) {
      throw new IllegalArgumentException(
          "'freezes' has " + freezes.size() + " windows; at most " + MAX_WINDOWS + " are allowed");
    }
    List<FreezeWindow> out = new ArrayList<>();
    for (int i = 0; i < freezes.size(); i++) {
      out.add(window("freezes[" + i + "]", freezes.get(i)));
    }
    return List.copyOf(out);
  }

  private static FreezeWindow window(String at, JsonNode w) {
    if (!w.isObject()) {
      throw invalid(at, "is an object with a date range (from, until) or a weekly window");
    }
    for (Iterator<String> names = w.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw invalid(at, "has an unknown field " + quoted(name) + "; known: " + sorted(FIELDS));
      }
    }
    List<String> services = services(at, w.get("services"));
    String reason = text(at + ".reason", w.get("reason"), MAX_REASON);
    ZoneId zone = zone(at + ".zone", w.get("zone"));
    JsonNode weekly = w.get("weekly");
    if (weekly != null) {
      if (w.has("from") || w.has("until")) {
        throw invalid(at, "is either a date range (from, until) or a weekly window, not both");
      }
      if (zone == null) {
        throw invalid(at + ".zone", "is required for a weekly window (e.g. \"Europe/Moscow\")");
      }
      return weekly(at + ".weekly", weekly, services, zone, reason);
    }
    if (!w.has("from") || !w.has("until")) {
      throw invalid(at, "needs 'from' and 'until' (a date range) or 'weekly'");
    }
    Instant from = instant(at + ".from", w.get("from"), zone);
    Instant until = instant(at + ".until", w.get("until"), zone);
    if (!until.isAfter(from)) {
      throw invalid(at + ".until", "is not after 'from'");
    }
    return FreezeWindow.range(services, from, until, zone == null ? null : zone.getId(), reason);
  }

  private static FreezeWindow weekly(
      String at, JsonNode weekly, List<String> services, ZoneId zone, String reason) {
    if (!weekly.isObject()) {
      throw invalid(at, "is an object {\"from\": \"Fri 16:00\", \"until\": \"Mon 09:00\"}");
    }
    for (Iterator<String> names = weekly.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!WEEKLY_FIELDS.contains(name)) {
        throw invalid(at, "has an unknown field " + quoted(name) + "; known: from, until");
      }
    }
    DayTime from = dayTime(at + ".from", weekly.get("from"));
    DayTime until = dayTime(at + ".until", weekly.get("until"));
    if (from.equals(until)) {
      throw invalid(at + ".until", "is the same moment of the week as 'from'");
    }
    return FreezeWindow.weekly(
        services, from.day(), from.time(), until.day(), until.time(), zone, reason);
  }

  private record DayTime(DayOfWeek day, LocalTime time) {}

  /** "Fri 16:00", "friday 16:00": an English day name (3 letters or whole) and a 24-hour time. */
  private static DayTime dayTime(String at, JsonNode n) {
    if (n == null || !n.isTextual()) {
      throw invalid(at, "is a day and a time such as \"Fri 16:00\"");
    }
    Matcher m = DAY_TIME.matcher(n.asText().strip());
    if (!m.matches()) {
      throw invalid(at, "is a day and a time such as \"Fri 16:00\"");
    }
    DayOfWeek day = day(m.group(1));
    if (day == null) {
      throw invalid(
          at, "names no day of the week; use Mon, Tue, Wed, Thu, Fri, Sat, Sun (or the full name)");
    }
    int hour = Integer.parseInt(m.group(2));
    int minute = Integer.parseInt(m.group(3));
    if (hour > 23 || minute > 59) {
      throw invalid(at, "has no such time of day; 00:00 to 23:59");
    }
    return new DayTime(day, LocalTime.of(hour, minute));
  }

  private static DayOfWeek day(String name) {
    String n = name.toUpperCase(Locale.ROOT);
    for (DayOfWeek d : DayOfWeek.values()) {
      if (d.name().equals(n) || d.name().substring(0, 3).equals(n)) {
        return d;
      }
    }
    return null;
  }

  /** An ISO-8601 date-time with an offset, or a local one in the window's {@code zone}. */
  private static Instant instant(String at, JsonNode n, ZoneId zone) {
    if (n == null || !n.isTextual() || n.asText().length() > 64) {
      throw invalid(at, "is an ISO-8601 date-time such as \"2026-12-30T18:00:00+03:00\"");
    }
    String text = n.asText();
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException withoutOffset) {
      LocalDateTime local;
      try {
        local = LocalDateTime.parse(text);
      } catch (DateTimeParseException e) {
        throw invalid(at, "is an ISO-8601 date-time such as \"2026-12-30T18:00:00+03:00\"");
      }
      if (zone == null) {
        throw invalid(at, "has no offset; give one (+03:00) or the window's 'zone'");
      }
      return local.atZone(zone).toInstant();
    }
  }

  private static ZoneId zone(String at, JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()
        || n.asText().length() > MAX_ZONE
        || !TextRules.allows(n.asText(), Kind.LINE)) {
      throw invalid(at, "is a time zone such as \"Europe/Moscow\"");
    }
    try {
      return ZoneId.of(n.asText());
    } catch (DateTimeException e) {
      throw invalid(at, "is no known time zone; use a name such as \"Europe/Moscow\"");
    }
  }

  private static List<String> services(String at, JsonNode n) {
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray() || n.isEmpty()) {
      throw invalid(
          at + ".services",
          "is a non-empty list of service names (leave it out for every service)");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      String name = text(at + ".services[" + i + "]", n.get(i), MAX_SERVICE);
      if (name == null || name.isBlank()) {
        throw invalid(at + ".services[" + i + "]", "is a service name");
      }
      if (!SERVICE.matcher(name).matches()) {
        throw invalid(
            at + ".services[" + i + "]",
            "is no service name a release can have: letters, digits, '.', '_' and '-', starting"
                + " with a letter or a digit");
      }
      out.add(name);
    }
    return out;
  }

  /** A text that reaches cards, logs and the timeline: one line, no control or bidi characters. */
  private static String text(String at, JsonNode n, int max) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw invalid(at, "is a text");
    }
    String value = n.asText();
    TextRules.check(at, value, Kind.LINE)
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
    int length = value.codePointCount(0, value.length());
    if (length > max) {
      throw invalid(at, "is " + length + " characters long; at most " + max + " are allowed");
    }
    return value;
  }

  private static String quoted(String name) {
    String escaped = TextRules.escape(name);
    return "'"
        + (escaped.codePointCount(0, escaped.length()) <= 40
            ? escaped
            : escaped.substring(0, escaped.offsetByCodePoints(0, 40)) + "…")
        + "'";
  }

  private static String sorted(Set<String> names) {
    return String.join(", ", new java.util.TreeSet<>(names));
  }

  private static IllegalArgumentException invalid(String at, String problem) {
    return new IllegalArgumentException(at + " " + problem);
  }
}
