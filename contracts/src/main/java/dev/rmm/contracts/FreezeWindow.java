package dev.rmm.contracts;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Objects;

/**
 * One freeze window of the policy (issue 15 point 5): while it is in force, no release of the
 * services it covers is dispatched to production (only a confirmed break-glass passes). Either a
 * date range ({@code from} .. {@code until}, instants: a local time in the file is resolved in its
 * zone when the file is loaded) or a weekly window ({@code start_day start_time} .. {@code end_day
 * end_time} in {@code zone}, wall-clock times, so it keeps its local hours across DST; an end
 * before the start in the week's order wraps across the week's end, Sun 20:00 .. Mon 06:00).
 *
 * @param services the services it covers; empty: every service
 * @param from a date range's start (inclusive); null for a weekly window
 * @param until a date range's end (exclusive); null for a weekly window
 * @param startDay a weekly window's first day; null for a date range
 * @param startTime its start on that day, {@code HH:mm}
 * @param endDay its last day
 * @param endTime its end on that day, {@code HH:mm} (exclusive)
 * @param zone the zone of a weekly window's wall-clock times (a date range's local times were
 *     resolved in it when loaded; kept for people)
 * @param reason why, shown on the card ("❄️ Frozen until … (reason)"); null for none
 */
public record FreezeWindow(
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> services,
    @JsonInclude(JsonInclude.Include.NON_NULL) Instant from,
    @JsonInclude(JsonInclude.Include.NON_NULL) Instant until,
    @JsonInclude(JsonInclude.Include.NON_NULL) DayOfWeek startDay,
    @JsonInclude(JsonInclude.Include.NON_NULL) String startTime,
    @JsonInclude(JsonInclude.Include.NON_NULL) DayOfWeek endDay,
    @JsonInclude(JsonInclude.Include.NON_NULL) String endTime,
    @JsonInclude(JsonInclude.Include.NON_NULL) String zone,
    @JsonInclude(JsonInclude.Include.NON_NULL) String reason) {

  private static final long WEEK_MINUTES = 7 * 24 * 60;

  public FreezeWindow {
    services = services == null ? List.of() : List.copyOf(services);
  }

  /** A date range {@code [from, until)}. */
  public static FreezeWindow range(
      List<String> services, Instant from, Instant until, String zone, String reason) {
    return new FreezeWindow(services, from, until, null, null, null, null, zone, reason);
  }

  /** A weekly window from {@code startDay startTime} to {@code endDay endTime} in {@code zone}. */
  public static FreezeWindow weekly(
      List<String> services,
      DayOfWeek startDay,
      LocalTime startTime,
      DayOfWeek endDay,
      LocalTime endTime,
      ZoneId zone,
      String reason) {
    return new FreezeWindow(
        services,
        null,
        null,
        startDay,
        hhmm(startTime),
        endDay,
        hhmm(endTime),
        zone.getId(),
        reason);
  }

  /** One stretch of time the window is in force: {@code [start, end)}. */
  public record Stretch(Instant start, Instant end) {}

  /** Whether the window covers releases of {@code service}. */
  public boolean covers(String service) {
    return services.isEmpty() || services.contains(service);
  }

  /** Whether it is a weekly window (else a date range). */
  @JsonIgnore
  public boolean isWeekly() {
    return startDay != null;
  }

  /** The stretch of this window that contains {@code t}, or null when it is not in force then. */
  public Stretch stretchAt(Instant t) {
    if (!isWeekly()) {
      return !t.isBefore(from) && t.isBefore(until) ? new Stretch(from, until) : null;
    }
    ZoneId z = ZoneId.of(zone);
    LocalTime start = LocalTime.parse(startTime);
    long minutes = lengthMinutes();
    LocalDate thisWeeks =
        LocalDateTime.ofInstant(t, z)
            .toLocalDate()
            .with(TemporalAdjusters.previousOrSame(startDay));
    // the latest start at or before t is this week's or, when that is still ahead, last week's
    for (int weeksBack = 0; weeksBack <= 1; weeksBack++) {
      LocalDateTime s = LocalDateTime.of(thisWeeks.minusWeeks(weeksBack), start);
      Instant si = s.atZone(z).toInstant();
      if (si.isAfter(t)) {
        continue;
      }
      // the end is a wall-clock time too: Fri 16:00 .. Mon 09:00 ends at 09:00 on a DST Monday
      Instant ei = s.plusMinutes(minutes).atZone(z).toInstant();
      return t.isBefore(ei) ? new Stretch(si, ei) : null;
    }
    return null;
  }

  /** A weekly window's length in wall-clock minutes, 1 .. a week less a minute. */
  long lengthMinutes() {
    long s = minuteOfWeek(startDay, LocalTime.parse(startTime));
    long e = minuteOfWeek(endDay, LocalTime.parse(endTime));
    return Math.floorMod(e - s, WEEK_MINUTES);
  }

  private static long minuteOfWeek(DayOfWeek d, LocalTime t) {
    return (d.getValue() - 1) * 24L * 60 + t.getHour() * 60L + t.getMinute();
  }

  private static String hhmm(LocalTime t) {
    Objects.requireNonNull(t, "time");
    return String.format(java.util.Locale.ROOT, "%02d:%02d", t.getHour(), t.getMinute());
  }
}
