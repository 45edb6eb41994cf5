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
  MENU_FAILED("❌ Неудачные релизы", "❌ Failed releases"),
  CARD_SERVICE("📦 Сервис: %s", "📦 Service: %s"),
  CARD_TAG("🏷️ Тег: %s", "🏷️ Tag: %s"),
  CARD_STATUS("🔄 Статус: %s", "🔄 Status: %s"),
  CARD_INITIATOR("👤 Инициатор: %s", "👤 Initiator: %s"),
  CARD_CREATED("📅 Создан: %s", "📅 Created: %s"),
  CARD_ELAPSED("⏱️ В работе: %s", "⏱️ In progress: %s"),
  CARD_RUN("🔗 GitHub Actions: %s", "🔗 GitHub run: %s"),
  CARD_APPROVERS("👥 Нужны апрувы (%d из %d): %s", "👥 Approvals needed (%d of %d): %s"),
  CARD_APPROVED("✅ Одобрили (%d/%d): %s", "✅ Approved so far (%d/%d): %s"),
  CARD_NOBODY("пока никто", "nobody yet"),
  CARD_REJECTED("💬 Причина отказа: %s", "💬 Rejection reason: %s"),
  CARD_ROLLBACK_TO("⏪ Откат на: %s", "⏪ Rolling back to: %s"),
  DAYS_HOURS("%d д %d ч", "%d d %d h"),
  HOURS_MINUTES("%d ч %02d мин", "%d h %02d min"),
  MINUTES("%d мин", "%d min"),
  BUTTON_APPROVE("✅ Одобрить", "✅ Approve"),
  BUTTON_REJECT("❌ Отклонить", "❌ Reject"),
  BUTTON_ROLLBACK("⏪ Откатить", "⏪ Rollback"),
  BUTTON_REFRESH("🔄 Обновить", "🔄 Refresh"),
  BUTTON_BACK("⬅️ В меню", "⬅️ Back to menu"),
  BUTTON_PREV("⬅️ Назад", "⬅️ Prev"),
  BUTTON_NEXT("Вперёд ➡️", "Next ➡️");

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
