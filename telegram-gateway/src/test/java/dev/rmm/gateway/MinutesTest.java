package dev.rmm.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.gateway.Texts.Language;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The break-glass window in words: Russian agrees the noun with the number ("за 1 минуту", "за 2
 * минуты", "за 5 минут", "за 21 минуту"), English adds an s after one.
 */
class MinutesTest {

  @ParameterizedTest
  @CsvSource({
    "1, 1 минуту, 1 minute",
    "2, 2 минуты, 2 minutes",
    "4, 4 минуты, 4 minutes",
    "5, 5 минут, 5 minutes",
    "11, 11 минут, 11 minutes",
    "12, 12 минут, 12 minutes",
    "14, 14 минут, 14 minutes",
    "15, 15 минут, 15 minutes",
    "21, 21 минуту, 21 minutes",
    "22, 22 минуты, 22 minutes",
    "25, 25 минут, 25 minutes",
    "111, 111 минут, 111 minutes",
    "1440, 1440 минут, 1440 minutes",
    "1441, 1441 минуту, 1441 minutes"
  })
  void givenANumberOfMinutes_thenTheNounAgreesWithIt(long n, String ru, String en) {
    assertThat(Minutes.of(n, Language.RU)).isEqualTo(ru);
    assertThat(Minutes.of(n, Language.EN)).isEqualTo(en);
  }

  @Test
  void givenARequestAndItsExpiry_thenTheWindowIsTheirDistance() {
    Instant at = Instant.parse("2026-03-14T10:00:00Z");

    assertThat(Minutes.window(at, at.plusSeconds(300))).isEqualTo(Duration.ofMinutes(5));
    assertThat(Minutes.of(Minutes.window(at, at.plusSeconds(60)), Language.RU))
        .isEqualTo("1 минуту");
  }

  @Test
  void givenARequestDecidedWithoutATime_thenTheWindowIsTheDefault() {
    Instant at = Instant.parse("2026-03-14T10:00:00Z");

    assertThat(Minutes.window(at, null)).isEqualTo(Duration.ofMinutes(15));
    assertThat(Minutes.window((Instant) null, at)).isEqualTo(Duration.ofMinutes(15));
  }
}
