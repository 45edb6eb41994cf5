package dev.rmm.gateway.card;

import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.StatusWords;
import dev.rmm.gateway.Texts.Language;

/**
 * Every status as the card shows it, in the reader's language: the words are contracts' {@link
 * StatusWords}, which the web console shows too.
 */
public final class StatusTexts {

  private StatusTexts() {}

  /** E.g. "🧪 Manual testing". */
  public static String of(ReleaseStatus status, Language language) {
    return language == Language.EN ? StatusWords.english(status) : StatusWords.russian(status);
  }
}
