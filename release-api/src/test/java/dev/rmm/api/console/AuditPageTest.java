package dev.rmm.api.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The audit page's moment: the forms a person or a link may give it, all read as UTC. */
class AuditPageTest {

  private static final Instant NOW = Instant.parse("2026-12-02T04:10:00Z");

  @Test
  void givenTheFormsOfAMoment_whenRead_thenEachIsThatInstant() {
    Instant t = Instant.parse("2026-12-01T10:00:00.123Z");

    assertThat(AuditPage.moment("2026-12-01T10:00:00.123Z", NOW)).contains(t);
    assertThat(AuditPage.moment("2026-12-01T13:00:00.123+03:00", NOW)).contains(t);
    assertThat(AuditPage.moment(" 2026-12-01T10:00:00.123 ", NOW)).contains(t);
    assertThat(AuditPage.moment("2026-12-01T10:00", NOW))
        .contains(Instant.parse("2026-12-01T10:00:00Z"));
  }

  @Test
  void givenNoMoment_whenRead_thenItIsNow() {
    assertThat(AuditPage.moment(null, NOW)).contains(NOW);
    assertThat(AuditPage.moment("  ", NOW)).contains(NOW);
  }

  @Test
  void givenSomethingElse_whenRead_thenThereIsNoMoment() {
    assertThat(AuditPage.moment("yesterday", NOW)).isEmpty();
    assertThat(AuditPage.moment("2026-13-45T99:00:00Z", NOW)).isEmpty();
    assertThat(AuditPage.moment("2026-12-01T10:00:00Z\u0000", NOW)).isEmpty();
  }

  @Test
  void givenAnInstant_whenWrittenForTheForm_thenItIsItsUtcLocalTimeToTheMillisecond() {
    assertThat(AuditPage.formValue(Instant.parse("2026-12-01T10:00:00.123456Z")))
        .isEqualTo("2026-12-01T10:00:00.123");
  }
}
