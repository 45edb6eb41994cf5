package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every status has its emoji and words in both languages, the ones the bot has always shown. */
class StatusWordsTest {

  @ParameterizedTest
  @EnumSource(ReleaseStatus.class)
  void givenAnyStatus_whenSaid_thenBothLanguagesHaveTheSameEmojiAndTheirOwnWords(
      ReleaseStatus status) {
    String ru = StatusWords.russian(status);
    String en = StatusWords.english(status);

    String emoji = en.substring(0, en.indexOf(' '));
    assertThat(emoji).isNotBlank().doesNotContainPattern("[A-Za-z]");
    assertThat(ru).startsWith(emoji + " ");
    assertThat(en.substring(emoji.length() + 1)).matches("[A-Z][A-Za-z ]+");
    assertThat(ru.substring(emoji.length() + 1)).containsPattern("[А-Яа-яЁё]");
  }

  @Test
  void givenTheStatuses_whenSaidInOneLanguage_thenNoTwoReadTheSame() {
    assertThat(Arrays.stream(ReleaseStatus.values()).map(StatusWords::english))
        .doesNotHaveDuplicates();
    assertThat(Arrays.stream(ReleaseStatus.values()).map(StatusWords::russian))
        .doesNotHaveDuplicates();
  }

  @Test
  void givenManualTesting_whenSaid_thenTheWordsAreTheCardsOfToday() {
    assertThat(StatusWords.english(ReleaseStatus.MANUAL_TESTING)).isEqualTo("🧪 Manual testing");
    assertThat(StatusWords.russian(ReleaseStatus.MANUAL_TESTING))
        .isEqualTo("🧪 Ручное тестирование");
    assertThat(StatusWords.english(ReleaseStatus.ROLLBACK_DONE)).isEqualTo("⚠️ Rolled back");
  }
}
