package dev.rmm.gateway;

import java.util.Locale;
import java.util.Map;

/** The bot's texts in Russian (the original) and English. */
public enum Texts {
  GREETING(
      "👋 Привет, %s! Я слежу за релизами. Что показать?",
      "👋 Hello, %s! I keep track of releases. What shall I show?"),
  MENU_ACTIVE("🚀 Активные релизы", "🚀 Active releases"),
  MENU_SUCCESSFUL("✅ Успешные релизы", "✅ Successful releases"),
  MENU_FAILED("❌ Неудачные релизы", "❌ Failed releases");

  private final String ru;
  private final String en;

  Texts(String ru, String en) {
    this.ru = ru;
    this.en = en;
  }

  public String in(Language language, Object... args) {
    String pattern = language == Language.EN ? en : ru;
    return args.length == 0 ? pattern : String.format(pattern, args);
  }

  /** The languages the bot speaks. */
  public enum Language {
    RU,
    EN;

    /** From a Telegram {@code language_code} (e.g. "en-GB"), else the configured default. */
    public static Language of(String telegramCode, Language fallback) {
      if (telegramCode == null) {
        return fallback;
      }
      String c = telegramCode.toLowerCase(Locale.ROOT);
      return Map.of("ru", RU, "en", EN)
          .getOrDefault(c.length() > 2 ? c.substring(0, 2) : c, fallback);
    }

    public static Language parse(String code) {
      return of(code, RU);
    }
  }
}
