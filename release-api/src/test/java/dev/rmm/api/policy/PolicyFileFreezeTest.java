package dev.rmm.api.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.contracts.FreezeWindow;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The policy file's freeze windows (issue 15 point 5): date ranges and weekly windows, global or
 * per service, validated when the file is loaded; a refusal names the window and the field and
 * never repeats hostile text.
 */
class PolicyFileFreezeTest {

  private static byte[] file(String freezes) {
    return ("{\"services\": {\"billing\": {\"approvers\": [{\"telegram_id\": 1001}]}},"
            + " \"freezes\": "
            + freezes
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static List<FreezeWindow> freezes(String freezes) {
    byte[] bytes = file(freezes);
    PolicyRegistry.parse(bytes, "policy.json"); // what a start-up and a reload check first
    return PolicyRegistry.freezes(bytes, "policy.json");
  }

  private static String refusal(String freezes) {
    Throwable t = null;
    try {
      PolicyRegistry.parse(file(freezes), "policy.json");
    } catch (IllegalStateException e) {
      t = e;
    }
    assertThat(t).as("refused: %s", freezes).isNotNull();
    return t.getMessage();
  }

  @Test
  void givenAGlobalDateRangeWithOffsets_whenParsed_thenItIsOneWindowForEveryService() {
    List<FreezeWindow> w =
        freezes(
            "[{\"from\": \"2026-12-30T18:00:00+03:00\", \"until\": \"2027-01-09T09:00:00+03:00\","
                + " \"reason\": \"New Year\"}]");

    assertThat(w)
        .containsExactly(
            FreezeWindow.range(
                List.of(),
                Instant.parse("2026-12-30T15:00:00Z"),
                Instant.parse("2027-01-09T06:00:00Z"),
                null,
                "New Year"));
  }

  @Test
  void givenADateRangeInLocalTimeWithAZone_whenParsed_thenItIsResolvedInThatZone() {
    List<FreezeWindow> w =
        freezes(
            "[{\"services\": [\"billing\"], \"from\": \"2026-07-01T00:00\", \"until\":"
                + " \"2026-07-02T00:00\", \"zone\": \"Europe/Berlin\"}]");

    assertThat(w.get(0).from()).isEqualTo(Instant.parse("2026-06-30T22:00:00Z"));
    assertThat(w.get(0).until()).isEqualTo(Instant.parse("2026-07-01T22:00:00Z"));
    assertThat(w.get(0).services()).containsExactly("billing");
  }

  @Test
  void givenAWeeklyWindow_whenParsed_thenItKeepsItsDaysTimesAndZone() {
    List<FreezeWindow> w =
        freezes(
            "[{\"weekly\": {\"from\": \"Fri 16:00\", \"until\": \"monday 09:00\"}, \"zone\":"
                + " \"Europe/Moscow\", \"reason\": \"weekend\"}]");

    assertThat(w)
        .containsExactly(
            FreezeWindow.weekly(
                List.of(),
                DayOfWeek.FRIDAY,
                LocalTime.of(16, 0),
                DayOfWeek.MONDAY,
                LocalTime.of(9, 0),
                ZoneId.of("Europe/Moscow"),
                "weekend"));
  }

  @Test
  void givenAFileWithoutFreezes_whenParsed_thenThereAreNone() {
    byte[] bytes =
        "{\"services\": {\"billing\": {\"approvers\": [{\"telegram_id\": 1001}]}}}"
            .getBytes(StandardCharsets.UTF_8);

    assertThat(PolicyRegistry.freezes(bytes, "policy.json")).isEmpty();
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> badWindows() {
    return java.util.stream.Stream.of(
        org.junit.jupiter.params.provider.Arguments.of(
            "[{\"from\": \"2026-12-30T18:00:00+03:00\", \"until\": \"2026-12-30T18:00:00+03:00\"}]",
            "freezes[0].until is not after 'from'"),
        org.junit.jupiter.params.provider.Arguments.of(
            "[{\"from\": \"2026-12-30T18:00:00+03:00\", \"until\": \"2026-12-29T18:00:00+03:00\"}]",
            "freezes[0].until is not after 'from'"),
        org.junit.jupiter.params.provider.Arguments.of(
            "[{\"weekly\": {\"from\": \"Fry 16:00\", \"until\": \"Mon 09:00\"}, \"zone\": \"UTC\"}]",
            "freezes[0].weekly.from names no day of the week"),
        org.junit.jupiter.params.provider.Arguments.of(
            "[{\"weekly\": {\"from\": \"Fri 24:00\", \"until\": \"Mon 09:00\"}, \"zone\": \"UTC\"}]",
            "freezes[0].weekly.from has no such time of day"),
        org.junit.jupiter.params.provider.Arguments.of(
            "[{\"weekly\": {\"from\": \"Fri 16:00\", \"until\": \"Fri 16:00\"}, \"zone\": \"UTC\"}]",
            "freezes[0].weekly.until is the same moment of the week as 'from'"),
        org.junit.jupiter.params.provider.Arguments.of(
            "[{\"weekly\": {\"from\": \"Fri 16:00\", \"until\": \"Mon 09:00\"}}]",
            "freezes[0].zone is required for a weekly window"),
        org.junit.jupiter.params.provider.Arguments.of(
            "[{\"weekly\": {\"from\": \"Fri 16:00\", \"until\": \"Mon 09:00\"}, \"zone\": \"Mars/Base\"}]",
            "freezes[0].zone is no known time zone"),
        org.junit.jupiter.params.provider.Arguments.of(
            "[{\"from\": \"2026-12-30T18:00\", \"until\": \"2026-12-31T18:00\"}]",
            "freezes[0].from has no offset"),
        org.junit.jupiter.params.provider.Arguments.of(
            "[{\"from\": \"tomorrow\", \"until\": \"2026-12-31T18:00:00Z\"}]",
            "freezes[0].from is an ISO-8601 date-time"),
        org.junit.jupiter.params.provider.Arguments.of(
            "[{\"until\": \"2026-12-31T18:00:00Z\"}]",
            "freezes[0] needs 'from' and 'until' (a date range) or 'weekly'"),
        org.junit.jupiter.params.provider.Arguments.of(
            "[{\"from\": \"2026-12-30T18:00:00Z\", \"until\": \"2026-12-31T18:00:00Z\", \"servces\": [\"billing\"]}]",
            "freezes[0] has an unknown field 'servces'"),
        org.junit.jupiter.params.provider.Arguments.of(
            "[{\"from\": \"2026-12-30T18:00:00Z\", \"until\": \"2026-12-31T18:00:00Z\", \"services\": []}]",
            "freezes[0].services is a non-empty list"),
        org.junit.jupiter.params.provider.Arguments.of(
            "{\"from\": \"2026-12-30T18:00:00Z\"}", "'freezes' is a list of freeze windows"));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("badWindows")
  void givenABadWindow_whenTheFileIsLoaded_thenItIsRefusedNamingTheField(
      String freezes, String why) {
    assertThat(refusal(freezes)).contains("policy.json").contains(why);
  }

  @Test
  void givenAReasonWithAControlOrBidiCharacter_whenLoaded_thenRefusedWithoutRepeatingIt() {
    String message =
        refusal(
            "[{\"from\": \"2026-12-30T18:00:00Z\", \"until\": \"2026-12-31T18:00:00Z\","
                + " \"reason\": \"ok\\u202Egnp.exe\"}]");

    assertThat(message).contains("freezes[0].reason").contains("U+202E");
    assertThat(message).doesNotContain("\u202E");
  }

  @Test
  void givenAReasonLongerThanACardLine_whenLoaded_thenRefusedWithItsLength() {
    String message =
        refusal(
            "[{\"from\": \"2026-12-30T18:00:00Z\", \"until\": \"2026-12-31T18:00:00Z\","
                + " \"reason\": \""
                + "x".repeat(201)
                + "\"}]");

    assertThat(message).contains("freezes[0].reason is 201 characters long; at most 200");
  }

  @Test
  void givenAServiceNameWithANewline_whenLoaded_thenRefusedNamingTheEntry() {
    assertThat(
            refusal(
                "[{\"from\": \"2026-12-30T18:00:00Z\", \"until\": \"2026-12-31T18:00:00Z\","
                    + " \"services\": [\"billing\\nDELETE\"]}]"))
        .contains("freezes[0].services[0]");
  }

  /** A megabyte of text: what a pasted log or a runaway script could leave in the file. */
  private static final String MEGABYTE = "x".repeat(1 << 20);

  /**
   * Hostile text in a freeze's {@code reason} or {@code services} (the door check of session 11),
   * each as the second window of a file whose first window and service policy are fine: {label, the
   * hostile window's field and JSON value, what the refusal says}.
   */
  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> hostileText() {
    return java.util.stream.Stream.of(
        hostile(
            "reason with NUL",
            "\"reason\": \"release\\u0000train\"",
            "'freezes[1].reason' contains the control character U+0000"),
        hostile(
            "reason with a bidi override",
            "\"reason\": \"train\\u202Eniart\"",
            "'freezes[1].reason' contains the bidirectional control character U+202E"),
        hostile(
            "reason of a megabyte",
            "\"reason\": \"" + MEGABYTE + "\"",
            "freezes[1].reason is 1048576 characters long; at most 200 are allowed"),
        hostile(
            "service with NUL",
            "\"services\": [\"billing\\u0000\"]",
            "'freezes[1].services[0]' contains the control character U+0000"),
        hostile(
            "service with a bidi override",
            "\"services\": [\"bill\\u202Eing\"]",
            "'freezes[1].services[0]' contains the bidirectional control character U+202E"),
        hostile(
            "service $(...)",
            "\"services\": [\"billing\", \"$(reboot)\"]",
            "freezes[1].services[1] is no service name a release can have"),
        hostile(
            "service of a megabyte",
            "\"services\": [\"" + MEGABYTE + "\"]",
            "freezes[1].services[0] is 1048576 characters long; at most 100 are allowed"),
        hostile(
            "service one character too long",
            "\"services\": [\"" + "s".repeat(101) + "\"]",
            "freezes[1].services[0] is 101 characters long; at most 100 are allowed"));
  }

  private static org.junit.jupiter.params.provider.Arguments hostile(
      String label, String field, String why) {
    return org.junit.jupiter.params.provider.Arguments.of(label, field, why);
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.MethodSource("hostileText")
  void givenHostileTextInAFreezesReasonOrServices_whenLoaded_thenTheWholeFileIsRefusedClearly(
      String label, String field, String why) {
    String freezes =
        "[{\"services\": [\"billing\"], \"from\": \"2026-12-30T18:00:00Z\", \"until\":"
            + " \"2026-12-31T18:00:00Z\", \"reason\": \"fine\"},"
            + " {\"from\": \"2026-12-30T18:00:00Z\", \"until\": \"2026-12-31T18:00:00Z\", "
            + field
            + "}]";

    String message = refusal(freezes);

    assertThat(message).contains("policy.json").contains(why);
    // one short line a person can read in the log and the alerts chat, without the hostile text
    assertThat(message).hasSizeLessThan(300).doesNotContain("\u0000").doesNotContain("\u202E");
    assertThat(dev.rmm.contracts.TextRules.allows(message, dev.rmm.contracts.TextRules.Kind.LINE))
        .isTrue();
    assertThat(message).doesNotContain("$(reboot)");
    // nothing half-applied: neither the good window before it nor the file's services are taken
    assertThatThrownBy(() -> PolicyRegistry.freezes(file(freezes), "policy.json"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(why);
  }

  @Test
  void givenAReasonThatLooksLikeShell_whenLoaded_thenItIsKeptAsPlainText() {
    // the reason is only ever shown (cards, timeline, log), never run: "$(...)" and quotes are
    // text like any other, as in a cancel reason
    List<FreezeWindow> w =
        freezes(
            "[{\"from\": \"2026-12-30T18:00:00Z\", \"until\": \"2026-12-31T18:00:00Z\","
                + " \"reason\": \"$(reboot) `id` 'x' && rm -rf /\"}]");

    assertThat(w.get(0).reason()).isEqualTo("$(reboot) `id` 'x' && rm -rf /");
  }

  @Test
  void givenTooManyWindows_whenLoaded_thenRefused() {
    String one = "{\"from\": \"2026-12-30T18:00:00Z\", \"until\": \"2026-12-31T18:00:00Z\"}";
    String many = "[" + String.join(",", java.util.Collections.nCopies(101, one)) + "]";

    assertThatThrownBy(() -> PolicyRegistry.parse(file(many), "policy.json"))
        .hasMessageContaining("'freezes' has 101 windows; at most 100");
  }

  @Test
  void givenOnlyTheFreezesChanged_whenComparedWithThePolicyInForce_thenTheChangeIsRecorded() {
    PolicyChanged before =
        new PolicyChanged(Map.of(), null, List.of(), "policy.json", null, null, null);
    PolicyChanged after =
        new PolicyChanged(
            Map.of(),
            null,
            List.of(),
            "policy.json",
            null,
            null,
            null,
            freezes("[{\"from\": \"2026-12-30T18:00:00Z\", \"until\": \"2026-12-31T18:00:00Z\"}]"));

    assertThat(after.sameRules(before)).isFalse();
    assertThat(PolicyReloads.changed(before, after)).containsExactly("*freezes");
  }
}
