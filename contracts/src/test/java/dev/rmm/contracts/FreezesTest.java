package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The window arithmetic of freezes (issue 15 point 5): whether a service is frozen at a moment and
 * until when, for date ranges and weekly windows, across midnight, the week's end, time zones and
 * DST, and for windows that overlap or touch (one freeze, "until" the end of the merged one).
 */
class FreezesTest {

  private static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static FreezeWindow range(String from, String until, String reason) {
    return FreezeWindow.range(List.of(), Instant.parse(from), Instant.parse(until), null, reason);
  }

  private static FreezeWindow weekly(
      DayOfWeek startDay, String start, DayOfWeek endDay, String end, ZoneId zone) {
    return FreezeWindow.weekly(
        List.of(), startDay, LocalTime.parse(start), endDay, LocalTime.parse(end), zone, null);
  }

  private static Optional<Freezes.Frozen> at(String now, FreezeWindow... windows) {
    return Freezes.at(List.of(windows), "billing", Instant.parse(now));
  }

  private static Instant until(String now, FreezeWindow... windows) {
    return at(now, windows).orElseThrow().until();
  }

  @Test
  void givenADateRange_thenItHoldsFromItsStartUpToButNotAtItsEnd() {
    FreezeWindow newYear = range("2026-12-30T15:00:00Z", "2027-01-09T06:00:00Z", "New Year");

    assertThat(at("2026-12-30T14:59:59Z", newYear)).isEmpty();
    assertThat(at("2026-12-30T15:00:00Z", newYear))
        .contains(new Freezes.Frozen(Instant.parse("2027-01-09T06:00:00Z"), "New Year"));
    assertThat(at("2027-01-09T05:59:59Z", newYear)).isPresent();
    assertThat(at("2027-01-09T06:00:00Z", newYear)).isEmpty();
  }

  @Test
  void givenAWeekendWindowInMoscow_thenFridayEveningToMondayMorningIsFrozenInMoscowTime() {
    // Fri 16:00 .. Mon 09:00 Moscow (UTC+3): Fri 13:00Z .. Mon 06:00Z
    FreezeWindow weekend = weekly(DayOfWeek.FRIDAY, "16:00", DayOfWeek.MONDAY, "09:00", MOSCOW);

    assertThat(at("2026-12-04T12:59:00Z", weekend)).isEmpty(); // Fri 15:59 Moscow
    assertThat(until("2026-12-04T13:00:00Z", weekend))
        .isEqualTo(Instant.parse("2026-12-07T06:00:00Z"));
    assertThat(until("2026-12-06T21:30:00Z", weekend)) // Mon 00:30 Moscow
        .isEqualTo(Instant.parse("2026-12-07T06:00:00Z"));
    assertThat(at("2026-12-07T06:00:00Z", weekend)).isEmpty();
    assertThat(at("2026-12-09T10:00:00Z", weekend)).isEmpty(); // Wednesday
  }

  @Test
  void givenANightlyWindowAcrossMidnight_thenTheNightIsFrozenUntilTheMorning() {
    FreezeWindow night = weekly(DayOfWeek.TUESDAY, "22:00", DayOfWeek.WEDNESDAY, "06:00", MOSCOW);

    // Tue 23:30 and Wed 05:59 Moscow
    assertThat(until("2026-12-01T20:30:00Z", night))
        .isEqualTo(Instant.parse("2026-12-02T03:00:00Z"));
    assertThat(until("2026-12-02T02:59:00Z", night))
        .isEqualTo(Instant.parse("2026-12-02T03:00:00Z"));
    assertThat(at("2026-12-01T18:59:00Z", night)).isEmpty(); // Tue 21:59
  }

  @Test
  void givenAWindowAcrossTheWeeksEnd_thenSundayNightToMondayMorningIsFrozen() {
    FreezeWindow sundayNight = weekly(DayOfWeek.SUNDAY, "20:00", DayOfWeek.MONDAY, "06:00", MOSCOW);

    // Sun 22:00 and Mon 01:00 Moscow
    assertThat(until("2026-12-06T19:00:00Z", sundayNight))
        .isEqualTo(Instant.parse("2026-12-07T03:00:00Z"));
    assertThat(until("2026-12-06T22:00:00Z", sundayNight))
        .isEqualTo(Instant.parse("2026-12-07T03:00:00Z"));
    assertThat(at("2026-12-07T03:00:00Z", sundayNight)).isEmpty();
  }

  @Test
  void givenTheSameWeeklyWindowInTwoZones_thenEachHoldsInItsOwnLocalTime() {
    FreezeWindow moscow = weekly(DayOfWeek.FRIDAY, "16:00", DayOfWeek.FRIDAY, "18:00", MOSCOW);
    FreezeWindow newYork =
        weekly(DayOfWeek.FRIDAY, "16:00", DayOfWeek.FRIDAY, "18:00", ZoneId.of("America/New_York"));

    // Fri 2026-12-04 14:00Z: 17:00 in Moscow, 09:00 in New York
    assertThat(at("2026-12-04T14:00:00Z", moscow)).isPresent();
    assertThat(at("2026-12-04T14:00:00Z", newYork)).isEmpty();
    assertThat(until("2026-12-04T22:00:00Z", newYork))
        .isEqualTo(Instant.parse("2026-12-04T23:00:00Z"));
  }

  @Test
  void givenAWeekendWindowOverTheSpringDstChange_thenItEndsAtItsLocalTimeInSummerTime() {
    // Berlin goes to summer time on Sun 2026-03-29 at 02:00 (CET +1 -> CEST +2)
    FreezeWindow weekend = weekly(DayOfWeek.SATURDAY, "01:00", DayOfWeek.MONDAY, "09:00", BERLIN);

    assertThat(until("2026-03-28T00:00:00Z", weekend)) // Sat 01:00 CET: it starts
        .isEqualTo(Instant.parse("2026-03-30T07:00:00Z")); // Mon 09:00 CEST
  }

  @Test
  void givenAWeeklyWindowOverTheAutumnDstChange_thenItEndsAtItsLocalTimeInWinterTime() {
    // Berlin goes back to winter time on Sun 2026-10-25 at 03:00 (CEST +2 -> CET +1)
    FreezeWindow weekend = weekly(DayOfWeek.SATURDAY, "20:00", DayOfWeek.SUNDAY, "08:00", BERLIN);

    assertThat(until("2026-10-24T18:00:00Z", weekend)) // Sat 20:00 CEST
        .isEqualTo(Instant.parse("2026-10-25T07:00:00Z")); // Sun 08:00 CET: 13 hours later
  }

  @Test
  void givenAWindowStartingInTheHourDstSkips_thenItStartsWhenTheClockJumpsToSummerTime() {
    // 02:30 does not exist in Berlin on 2026-03-29: the window starts at 03:30 CEST (01:30Z)
    FreezeWindow skipped = weekly(DayOfWeek.SUNDAY, "02:30", DayOfWeek.SUNDAY, "05:00", BERLIN);

    assertThat(at("2026-03-29T00:59:00Z", skipped)).isEmpty(); // 01:59 CET
    assertThat(until("2026-03-29T01:30:00Z", skipped))
        .isEqualTo(Instant.parse("2026-03-29T03:00:00Z")); // 05:00 CEST
  }

  @Test
  void givenOverlappingWindows_thenUntilIsTheEndOfTheMergedFreeze() {
    FreezeWindow first = range("2026-12-04T10:00:00Z", "2026-12-04T14:00:00Z", "migration");
    FreezeWindow second = range("2026-12-04T12:00:00Z", "2026-12-04T18:00:00Z", null);
    FreezeWindow third = range("2026-12-04T17:00:00Z", "2026-12-05T09:00:00Z", null);

    assertThat(at("2026-12-04T11:00:00Z", first, second, third))
        .contains(new Freezes.Frozen(Instant.parse("2026-12-05T09:00:00Z"), "migration"));
  }

  @Test
  void givenAWindowThatStartsExactlyWhenAnotherEnds_thenTheyMakeOneFreeze() {
    FreezeWindow weekend = weekly(DayOfWeek.FRIDAY, "16:00", DayOfWeek.MONDAY, "09:00", MOSCOW);
    FreezeWindow newYear = range("2027-01-04T06:00:00Z", "2027-01-06T06:00:00Z", "New Year");

    // Fri 2027-01-01 20:00 Moscow: the weekend ends Mon 04.01 09:00 Moscow = 06:00Z, when the
    // New Year freeze begins; it ends on Wednesday
    assertThat(until("2027-01-01T17:00:00Z", weekend, newYear))
        .isEqualTo(Instant.parse("2027-01-06T06:00:00Z"));
  }

  @Test
  void givenAWeeklyWindowAndARangeOverlappingItsNextWeek_thenTheFreezeRunsOnAcrossThem() {
    FreezeWindow weekend = weekly(DayOfWeek.FRIDAY, "16:00", DayOfWeek.MONDAY, "09:00", MOSCOW);
    // the week after a weekend frozen as a whole, then the next weekend
    FreezeWindow week = range("2026-12-07T05:00:00Z", "2026-12-11T14:00:00Z", null);

    assertThat(until("2026-12-05T10:00:00Z", weekend, week))
        .isEqualTo(Instant.parse("2026-12-14T06:00:00Z"));
  }

  @Test
  void givenWindowsOfOtherServices_thenOnlyTheCoveredServiceIsFrozen() {
    FreezeWindow billingOnly =
        FreezeWindow.range(
            List.of("billing"),
            Instant.parse("2026-12-04T10:00:00Z"),
            Instant.parse("2026-12-04T14:00:00Z"),
            null,
            "billing migration");
    Instant now = Instant.parse("2026-12-04T11:00:00Z");

    assertThat(Freezes.at(List.of(billingOnly), "billing", now)).isPresent();
    assertThat(Freezes.at(List.of(billingOnly), "payments", now)).isEmpty();
  }

  @Test
  void givenWeeklyWindowsCoveringTheWholeWeek_thenTheFreezeIsFollowedUpToTheHorizon() {
    FreezeWindow first = weekly(DayOfWeek.MONDAY, "00:00", DayOfWeek.THURSDAY, "00:00", MOSCOW);
    FreezeWindow second = weekly(DayOfWeek.THURSDAY, "00:00", DayOfWeek.MONDAY, "00:00", MOSCOW);
    Instant now = Instant.parse("2026-12-02T10:00:00Z");

    Instant until = Freezes.at(List.of(first, second), "billing", now).orElseThrow().until();

    assertThat(until).isAfterOrEqualTo(now.plus(Freezes.HORIZON));
  }

  @Test
  void givenNoWindows_thenNothingIsFrozen() {
    assertThat(Freezes.at(List.of(), "billing", Instant.parse("2026-12-04T11:00:00Z"))).isEmpty();
  }
}
